/**
 * Canonical JSON and digests: the same value gives the same bytes (and hash) on every OS.
 * Every stage that hashes a value (templates' `hash` filter, plan's cache keys, the lock's
 * spec_hash) uses these, so this file imports nothing of Lily's.
 * @module
 */
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted by code point, no insignificant whitespace. `undefined` members
 * are dropped (as JSON.stringify does); non-finite numbers are refused.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { canonicalJson } from "./canonical_json.ts";
 * assert(canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      }
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      throw new TypeError(`cannot serialize a ${typeof value}`);
  }
}

/** sha256 of a string (UTF-8) or bytes, as 64 hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

// Compose digests the same small values over and over (1000 steps with one `timeout`, one
// `outputs` block, one salt: ≈ 6000 of 8000 digests repeat), and a hash costs ≈ 4 µs of
// op overhead here whatever its size: short texts remember their digest.
const MEMO_LIMIT = 4096;
const MEMO_MAX_TEXT = 512;
const memo = new Map<string, string>();

/** `sha256:<hex>` of the canonical JSON of a value. */
export function digestOf(value: unknown): string {
  const text = canonicalJson(value);
  if (text.length > MEMO_MAX_TEXT) return `sha256:${sha256Hex(text)}`;
  let digest = memo.get(text);
  if (digest === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    digest = `sha256:${sha256Hex(text)}`;
    memo.set(text, digest);
  }
  return digest;
}
