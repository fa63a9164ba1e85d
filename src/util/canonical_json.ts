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
      // Built by concatenation (V8 keeps it as a rope), not arrays joined: compose hashes
      // every step several times and the whole lock once.
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          // A hole stays empty, as `map` + `join` left it.
          if (!(i in value)) continue;
          const item = value[i];
          out += item === undefined ? "null" : canonicalJson(item);
        }
        return out + "]";
      }
      const keys = Object.keys(value).sort();
      let out = "{";
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        if (out.length > 1) out += ",";
        out += quotedKey(key) + ":" + canonicalJson(member);
      }
      return out + "}";
    }
    default:
      throw new TypeError(`cannot serialize a ${typeof value}`);
  }
}

// Keys repeat (every step has `with`, `env`, `inputs`…): their JSON text is kept.
const keyTexts = new Map<string, string>();

function quotedKey(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (keyTexts.size < 4096) keyTexts.set(key, text);
  }
  return text;
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
