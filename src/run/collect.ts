/**
 * Output collection, after a step has fully ended: the `$LILY_OUTPUT` file and every declared
 * output, read by Lily's own process with no-follow semantics. Outputs are regular files (or
 * real directories) inside the project; a link, a FIFO, a device or a socket is refused before
 * it is opened, so nothing a step leaves behind makes Lily read through a link or block.
 * Reading is bounded: the output file by {@linkcode MAX_OUTPUT_FILE}, a cached file by the
 * blob limit (`maxBlobBytes` in limits.ts). Secrets never reach values or the cache: the output
 * text is masked, decoded JSON values are masked again (a `\u`-escaped secret is only the
 * secret once decoded), and a file that holds any secret form is not stored.
 * @module
 */
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { dirDigest } from "../cache/key.ts";
import { checkParents, openRegular, unsafeRelative } from "../cache/safe_path.ts";
import type { StoredOutput } from "../cache/store.ts";
import type { Masker } from "../sandbox/mask.ts";
import type { LockStep } from "../schema/lock.ts";
import { leavesRoot } from "../util/paths.ts";
import { schemaViolation } from "../json_schema/validate.ts";
import { parseOutputFile, typedOutput } from "./outputs.ts";

/** The largest `$LILY_OUTPUT` file read (bytes); a larger one fails the step. */
export const MAX_OUTPUT_FILE = 16 * 1024 * 1024;

/** What collection found. */
export type Collected =
  | {
    outputs: Record<string, StoredOutput>;
    /** Written names that are not declared outputs. */
    ignored: string[];
    /** Why the step's entry must not be stored (a secret in a file, a file too large). */
    noCache: string[];
  }
  | { error: string };

/** Options for {@linkcode collectOutputs}. */
export interface CollectOptions {
  root: string;
  masker: Masker;
  maxBlob: number;
}

/** Reads a step's outputs (see the module doc). */
export async function collectOutputs(
  step: LockStep,
  outputFile: string,
  options: CollectOptions,
): Promise<Collected> {
  const { root, masker } = options;
  const noCache: string[] = [];
  if (Object.keys(step.outputs).length === 0) return { outputs: {}, ignored: [], noCache };
  const read = await readBounded(dirname(outputFile), basename(outputFile), MAX_OUTPUT_FILE);
  if ("error" in read && !read.missing) {
    return { error: `the output file (\`$LILY_OUTPUT\`) ${read.error}` };
  }
  let written: Record<string, unknown> = {};
  if ("bytes" in read && read.bytes.length) {
    // Parsed first, then masked value by value: masking the text would let a secret such as
    // `null` rewrite JSON syntax or an output's name. A declared output's name is the lock's.
    const parsed = parseOutputFile(new TextDecoder().decode(read.bytes));
    written = parsed;
    if (!masker.empty) {
      written = Object.create(null);
      for (const [k, v] of Object.entries(parsed)) {
        written[Object.hasOwn(step.outputs, k) ? k : masker.mask(k)] = maskDeep(v, masker);
      }
    }
  }
  const outputs: Record<string, StoredOutput> = {};
  for (const [name, io] of Object.entries(step.outputs)) {
    // Own names only: an output named `constructor` was not written by inheriting Object's.
    const wrote = Object.hasOwn(written, name);
    if (
      io.path !== undefined ||
      ((io.type === "file" || io.type === "dir") && wrote && written[name] !== undefined)
    ) {
      const path = io.path ?? String(written[name]);
      const abs = isAbsolute(path) ? path : join(root, path);
      const rel = relative(root, abs).replaceAll("\\", "/");
      if (rel === "" || leavesRoot(rel)) {
        return { error: `output \`${name}\`: \`${path}\` is outside the project` };
      }
      if (rel === ".lily" || rel.startsWith(".lily/")) {
        return { error: `output \`${name}\`: \`${path}\` is inside Lily's own \`.lily/\`` };
      }
      if (unsafeRelative(rel)) {
        return { error: `output \`${name}\`: \`${path}\` is not a plain path inside the project` };
      }
      const file = await collectFile(root, rel, io.type, options);
      if ("missing" in file) {
        if (io.required) {
          return {
            error: `declared output \`${name}\` was not written (expected the file \`${path}\`)`,
          };
        }
        continue;
      }
      if ("error" in file) return { error: `output \`${name}\`: \`${path}\` ${file.error}` };
      outputs[name] = file.output;
      if (file.noCache) noCache.push(`output \`${name}\` ${file.noCache}`);
      continue;
    }
    if (!wrote) {
      if (io.required) {
        return {
          error:
            `declared output \`${name}\` was not written: append \`${name}=…\` to "$LILY_OUTPUT"`,
        };
      }
      continue;
    }
    const typed = typedOutput(name, io, written[name]);
    if ("error" in typed) return { error: typed.error };
    if (io.type === "json" && io.schema) {
      const violation = await schemaViolation(typed.value, io.schema);
      if (violation) return { error: `output \`${name}\` does not match its schema: ${violation}` };
    }
    // A `json` value is decoded here: mask it again (a `\u`-escaped secret is plain now).
    const value = masker.empty ? typed.value : maskDeep(typed.value, masker);
    outputs[name] = { type: io.type, value };
  }
  const ignored = Object.keys(written).filter((n) => !Object.hasOwn(step.outputs, n));
  return { outputs, ignored, noCache };
}

/** Every string inside a decoded value, masked (keys too). */
export function maskDeep(value: unknown, masker: Masker): unknown {
  if (typeof value === "string") return masker.mask(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, masker));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[masker.mask(k)] = maskDeep(v, masker);
    return out;
  }
  return value;
}

type FileResult =
  | { output: StoredOutput; noCache?: string }
  | { error: string }
  | { missing: true };

async function collectFile(
  root: string,
  rel: string,
  type: string,
  options: CollectOptions,
): Promise<FileResult> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(join(root, rel));
  } catch {
    const parents = await checkParents(root, rel);
    return parents && !parents.endsWith("does not exist") ? { error: parents } : { missing: true };
  }
  if (info.isDirectory) {
    const parents = await checkParents(root, rel);
    if (parents) return { error: parents };
    return { output: { type, path: rel, sha256: await dirDigest(join(root, rel)) } };
  }
  const opened = await openRegular(root, rel);
  if ("error" in opened) return opened.missing ? { missing: true } : { error: opened.error };
  using file = opened.file;
  const size = opened.info.size;
  if (size > options.maxBlob) {
    return {
      output: { type, path: rel, size },
      noCache: `is ${size} bytes, above the cache's limit of ${options.maxBlob} bytes` +
        " (LILY_CACHE_MAX_BLOB)",
    };
  }
  const { createHash } = await import("node:crypto");
  const hash = createHash("sha256");
  const scan = secretScanner(options.masker);
  let total = 0;
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    total += n;
    if (total > size) return { error: "grew while it was being read" };
    const chunk = buffer.subarray(0, n);
    hash.update(chunk);
    scan.push(chunk);
  }
  const output: StoredOutput = { type, path: rel, sha256: hash.digest("hex"), size: total };
  return scan.found()
    ? { output, noCache: "holds a secret: its bytes are never stored in the cache" }
    : { output };
}

/** Finds any form of a secret in a stream of bytes (forms split across chunks included). */
function secretScanner(masker: Masker): { push(chunk: Uint8Array): void; found(): boolean } {
  if (masker.empty) return { push() {}, found: () => false };
  const decoder = new TextDecoder();
  let tail = "";
  let hit = false;
  const OVERLAP = 16 * 1024;
  const check = (text: string) => {
    if (!hit && masker.mask(text) !== text) hit = true;
    tail = text.slice(-OVERLAP);
  };
  return {
    push(chunk) {
      if (!hit) check(tail + decoder.decode(chunk, { stream: true }));
    },
    found() {
      if (!hit) check(tail + decoder.decode());
      return hit;
    },
  };
}

/** Reads a regular file (no links, no FIFOs) of at most `limit` bytes. */
async function readBounded(
  dir: string,
  name: string,
  limit: number,
): Promise<{ bytes: Uint8Array } | { error: string; missing?: boolean }> {
  const opened = await openRegular(dir, name);
  if ("error" in opened) return opened;
  using file = opened.file;
  if (opened.info.size > limit) {
    return { error: `is ${opened.info.size} bytes, above the limit of ${limit} bytes` };
  }
  const bytes = new Uint8Array(opened.info.size);
  let at = 0;
  while (at < bytes.length) {
    const n = await file.read(bytes.subarray(at));
    if (n === null) break;
    at += n;
  }
  return { bytes: bytes.subarray(0, at) };
}
