/**
 * Input binding: each declared input of a step gets its value (a param, a secret, an
 * upstream step's output, a file) and its digest for the cache key, and the text the step's
 * environment carries. A missing upstream output skips the step; an unreadable file, a
 * missing secret or a schema violation fails it. Reads files, runs nothing.
 * @module
 */
import { isAbsolute, join } from "node:path";
import { dirDigest, fileDigest, type InputValue, valueDigest } from "../cache/key.ts";
import { schemaViolation } from "../json_schema/validate.ts";
import type { LockFile, LockParam } from "../schema/lock.ts";
import { API_KEY_INPUT } from "../steps/llm.ts";
import type { StepRecord } from "./records.ts";
import { secretEnvName } from "../schema/secret_env.ts";

/** What binding needs from the run. */
export interface BindContext {
  lock: Pick<LockFile, "params">;
  /** Relative file inputs are under it. */
  projectRoot: string;
  /** A secret param's value, or undefined when it is not set. */
  resolveSecret(
    name: string,
    marker: Extract<LockParam, { secret: true }>,
  ): Promise<string | undefined>;
  /** The record of an upstream step, by id. */
  producer(id: string): StepRecord | undefined;
  /**
   * Replay only (`--cassettes none`): an llm step's `api_key` may be unset, its calls are
   * answered by its cassette and never sent (secrets_check.ts).
   */
  replayOnly?: boolean;
}

/** The bound inputs: values with digests (the cache key) and environment text. */
export interface BoundInputs {
  values: Record<string, InputValue>;
  env: Record<string, string>;
}

/** The bound inputs, or why the step is skipped (`skip`) or fails (`fail`). */
export type Binding = BoundInputs | { skip: string } | { fail: string };

/** Binds the inputs of `r`'s step. */
export async function bindInputs(r: StepRecord, context: BindContext): Promise<Binding> {
  const { lock, projectRoot: root } = context;
  const values: Record<string, InputValue> = {};
  const env: Record<string, string> = {};
  for (const [name, io] of Object.entries(r.step.inputs)) {
    let value: unknown;
    let isFile = io.type === "file" || io.type === "dir";
    let path: string | undefined;
    const from = io.from ?? "";
    const param = /^params\.(.+)$/.exec(from)?.[1];
    // Output names hold no `.`; a foreach sub-step's id may (`test@3.12`).
    const upstream = /^steps\.(.+)\.outputs\.([^.]+)$/.exec(from);
    if (param !== undefined) {
      const p = lock.params[param];
      if (p && "secret" in p) {
        const secret = await context.resolveSecret(param, p);
        if (secret === undefined) {
          if (!io.required) continue;
          if (context.replayOnly && r.step.uses === "llm" && name === API_KEY_INPUT) {
            // The same cache key as with a key: a secret's digest never depends on its value.
            values[name] = { type: "secret", value: "", digest: "secret" };
            continue;
          }
          return {
            fail: `secret \`${param}\` is not set: export ${secretEnvName(param)}${
              p.source.startsWith("env:") && p.source !== `env:${secretEnvName(param)}`
                ? ` or ${p.source.slice(4)}`
                : ""
            }`,
          };
        }
        values[name] = { type: "secret", value: secret, digest: "secret" };
        env[name] = secret;
        continue;
      }
      value = p && "value" in p ? p.value : null;
      if (isFile) path = String(value);
    } else if (upstream) {
      const [, id, output] = upstream;
      const producer = context.producer(id);
      const produced = producer?.outputs[output];
      if (
        !producer || !["succeeded", "cached"].includes(producer.state) || produced === undefined
      ) {
        if (!io.required) continue;
        const why = !producer
          ? "does not exist"
          : producer.state === "skipped"
          ? "was skipped"
          : producer.state === "failed"
          ? "failed"
          : producer.state === "cancelled"
          ? "was cancelled"
          : "did not produce it";
        return { skip: `input \`${name}\` comes from \`${from}\`, and step \`${id}\` ${why}` };
      }
      value = produced.value ?? produced.path;
      if (produced.path !== undefined) {
        isFile = true;
        path = produced.path;
      }
    } else if (io.path !== undefined) {
      path = io.path;
      isFile = true;
    }
    if (isFile && path !== undefined) {
      const abs = isAbsolute(path) ? path : join(root, path);
      let digest: string;
      let stat: Deno.FileInfo;
      try {
        stat = await Deno.stat(abs);
      } catch {
        return { fail: `input \`${name}\`: file \`${path}\` does not exist` };
      }
      if (!stat.isFile && !stat.isDirectory) {
        // A FIFO or `/dev/zero` would block or never end the hash.
        return { fail: `input \`${name}\`: \`${path}\` is not a regular file or directory` };
      }
      try {
        digest = stat.isDirectory ? await dirDigest(abs) : (await fileDigest(abs)).sha256;
      } catch (error) {
        return { fail: `input \`${name}\`: cannot read \`${path}\`: ${(error as Error).message}` };
      }
      values[name] = { type: io.type, value: path, digest };
      env[name] = abs;
    } else {
      if (io.type === "json" && io.schema) {
        const violation = await schemaViolation(value, io.schema);
        if (violation) {
          return { fail: `input \`${name}\` does not match its schema: ${violation}` };
        }
      }
      values[name] = { type: io.type, value, digest: valueDigest(value) };
      env[name] = typeof value === "string" ? value : JSON.stringify(value ?? null);
    }
  }
  return { values, env };
}
