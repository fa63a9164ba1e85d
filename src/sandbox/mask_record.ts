/**
 * Masking a structured record (an event, the manifest) before it is serialized: the string
 * values are masked, never the serialized text, so a secret that happens to be `null`,
 * `true` or part of a key cannot rewrite JSON syntax or a field name, and every record keeps
 * its shape and stays valid JSON.
 *
 * Keys are kept: a record's keys are field names, step ids and output names, all from Lily or
 * the lock (which never holds a secret). Keys that come from a step's data (a decoded `json`
 * output) are masked where the data enters the run (src/run/collect.ts). The values of a few
 * fields that only Lily writes (event type, status, timestamps, run id, step id) are kept too,
 * so a record stays findable whatever the secret.
 * @module
 */

/** Fields whose string values Lily itself writes (enums, times, ids from the lock). */
const LILY_FIELDS = new Set([
  "type",
  "status",
  "ts",
  "run",
  "run_id",
  "step",
  "started_at",
  "finished_at",
]);

/**
 * `value` with every string masked by `mask`, keys and Lily's own fields kept.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { maskRecord } from "./mask_record.ts";
 * const out = maskRecord({ type: "x", null: null, msg: "a null b" }, (t) => t.replaceAll("null", "***"));
 * assert(JSON.stringify(out) === '{"type":"x","null":null,"msg":"a *** b"}');
 * ```
 */
export function maskRecord<T>(value: T, mask: (text: string) => string): T {
  return walk(value, mask, undefined) as T;
}

function walk(value: unknown, mask: (text: string) => string, key: string | undefined): unknown {
  if (typeof value === "string") {
    return key !== undefined && LILY_FIELDS.has(key) ? value : mask(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, mask, undefined));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, mask, k);
    return out;
  }
  return value;
}

/**
 * Data that came from outside (a step's decoded output, a provider's answer): every string
 * masked, keys too, and then serialized by the caller — never masked as serialized text.
 */
export function maskData<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskData(v, mask)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[mask(k)] = maskData(v, mask);
    return out as T;
  }
  return value;
}
