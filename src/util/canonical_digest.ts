/**
 * The digest of a value's canonical JSON (`util/canonical_json.ts`), fed to the hash in pieces
 * instead of built as one string first. Same bytes, same digest as `digestOf`; what differs is
 * memory: re-hashing a 1000-step lock's plan when a run reads it built ≈ 700 KB of text out of
 * tens of thousands of concatenated pieces, which raised the run's peak RSS by ≈ 10 MB
 * (scripts/bench/README.md). Here only a 32 KB piece at a time is alive.
 * @module
 */
import { createHash, type Hash } from "node:crypto";

const PIECE = 32 * 1024;

/**
 * `sha256:<hex>` of the canonical JSON of `value`, as `digestOf` gives it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { digestOf } from "./canonical_json.ts";
 * import { canonicalDigest } from "./canonical_digest.ts";
 * const value = { b: [1, "x", null, { d: true, c: 2.5 }], a: "é" };
 * assertEquals(canonicalDigest(value), digestOf(value));
 * ```
 */
export function canonicalDigest(value: unknown): string {
  const hash = createHash("sha256");
  const out = { hash, text: "" };
  write(out, value);
  if (out.text) hash.update(out.text);
  return `sha256:${hash.digest("hex")}`;
}

function emit(out: { hash: Hash; text: string }, text: string): void {
  out.text += text;
  if (out.text.length >= PIECE) {
    out.hash.update(out.text);
    out.text = "";
  }
}

// The cases, in canonicalJson's order; any change there must be made here too (the test
// compares both on every shape).
function write(out: { hash: Hash; text: string }, value: unknown): void {
  if (value === null) return emit(out, "null");
  switch (typeof value) {
    case "string":
      return emit(out, JSON.stringify(value));
    case "boolean":
      return emit(out, value ? "true" : "false");
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
      return emit(out, JSON.stringify(value));
    case "object": {
      if (Array.isArray(value)) {
        emit(out, "[");
        for (let i = 0; i < value.length; i++) {
          if (i > 0) emit(out, ",");
          if (!(i in value)) continue;
          const item = value[i];
          if (item === undefined) emit(out, "null");
          else write(out, item);
        }
        return emit(out, "]");
      }
      const keys = Object.keys(value).sort();
      emit(out, "{");
      let first = true;
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        emit(out, first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
        first = false;
        write(out, member);
      }
      return emit(out, "}");
    }
    default:
      throw new TypeError(`cannot serialize a ${typeof value}`);
  }
}
