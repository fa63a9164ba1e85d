/**
 * The run-time cache key: the lock's static digest plus what is only known when the step is
 * about to run — each input's value (a file's content hash) and the binaries' pins.
 * @module
 */
import { createHash } from "node:crypto";
import { canonicalJson, digestOf } from "../util/canonical_json.ts";
import type { LockStep } from "../schema/lock.ts";
import { changedRefs } from "../plan/template_refs.ts";

/** A resolved input: its value, or for a file/dir its path and content digest. */
export interface InputValue {
  type: string;
  value: unknown;
  /** Content digest for files and directories; the value's digest otherwise. */
  digest: string;
}

/** Every part of a key, named, so a miss can say which one changed. */
export interface KeyParts {
  formula: string;
  /** The lock's per-component digests (command, env, …). */
  components: Record<string, string>;
  inputs: Record<string, string>;
  pins: Record<string, string>;
  /** The lock's `cache.refs`: params/vars each component was rendered from (not in the key). */
  refs?: Record<string, Record<string, string>>;
}

/** The key parts of a step, given its resolved inputs and pins. */
export function keyParts(
  step: LockStep,
  inputs: Record<string, InputValue>,
  pins: Record<string, string>,
): KeyParts {
  const inputDigests: Record<string, string> = {};
  for (const name of step.cache.inputs) inputDigests[name] = inputs[name]?.digest ?? "absent";
  const pinDigests: Record<string, string> = {};
  for (const name of step.cache.pins) pinDigests[name] = pins[name] ?? "unpinned";
  return {
    formula: step.cache.formula,
    components: step.cache.components,
    inputs: inputDigests,
    pins: pinDigests,
    ...(step.cache.refs ? { refs: step.cache.refs } : {}),
  };
}

/** The key: sha256 over the static digest and the run-time parts. */
export function cacheKey(step: LockStep, parts: KeyParts): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        formula: parts.formula,
        static: step.cache.static,
        inputs: parts.inputs,
        pins: parts.pins,
      }),
    )
    .digest("hex");
}

/** Digest of an input value (not a file): canonical JSON. */
export function valueDigest(value: unknown): string {
  return digestOf(value ?? null).slice(7, 39);
}

/** sha256 of a file's content, streamed (large inputs do not fill memory). */
export async function fileDigest(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  using file = await Deno.open(path);
  for await (const chunk of file.readable) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

/** Digest of a directory: its files' relative paths and contents, sorted. */
export async function dirDigest(path: string): Promise<string> {
  const entries: string[] = [];
  async function walk(dir: string, prefix: string) {
    const items: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) items.push(e);
    items.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of items) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) await walk(`${dir}/${e.name}`, rel);
      else if (e.isFile) {
        entries.push(`${rel}\u0000${(await fileDigest(`${dir}/${e.name}`)).sha256}`);
      }
    }
  }
  await walk(path, "");
  return createHash("sha256").update(entries.join("\n")).digest("hex").slice(0, 32);
}

/** Which named parts differ between two key-part records (for "why did this miss"). */
export function changedParts(before: KeyParts, after: KeyParts): string[] {
  const changed: string[] = [];
  if (before.formula !== after.formula) changed.push("the cache-key formula");
  for (
    const name of new Set([...Object.keys(before.components), ...Object.keys(after.components)])
  ) {
    if (before.components[name] !== after.components[name]) {
      const label = COMPONENT_LABELS[name] ?? name;
      const why = changedRefs(before.refs?.[name], after.refs?.[name]);
      changed.push(why.length ? `${label} (${why.join(", ")})` : label);
    }
  }
  for (const name of new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])) {
    if (before.inputs[name] !== after.inputs[name]) changed.push(`input \`${name}\``);
  }
  for (const name of new Set([...Object.keys(before.pins), ...Object.keys(after.pins)])) {
    if (before.pins[name] !== after.pins[name]) changed.push(`the pin of \`${name}\``);
  }
  return changed;
}

const COMPONENT_LABELS: Record<string, string> = {
  command: "the command",
  env: "the environment",
  inputs: "the input declarations",
  outputs: "the output declarations",
  timeout: "the timeout",
  resources: "the resources",
  salt: "the cache salt",
};
