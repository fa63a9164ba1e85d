import { assertEquals, assertThrows } from "../_assert.ts";
import fc from "fast-check";
import { canonicalJson, digestOf, sha256Hex } from "../../src/util/canonical_json.ts";

/** The definition written plainly (arrays mapped and joined, keys sorted, members joined). */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => reference(v ?? null)).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  const members = Object.keys(record).sort().filter((k) => record[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference(record[k])}`);
  return `{${members.join(",")}}`;
}

Deno.test("canonical JSON equals its plain definition (integer-like keys sorted as text too)", () => {
  const key = fc.oneof(fc.string(), fc.constantFrom("10", "9", "a", "__proto__x", "\u2028"));
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(key, tie("value"), { maxKeys: 5 }),
    ),
  })).value;
  fc.assert(fc.property(json, (value) => {
    assertEquals(canonicalJson(value), reference(value));
  }));
});

Deno.test("undefined members are dropped, undefined items are null, non-finite numbers refused", () => {
  assertEquals(canonicalJson({ b: undefined, a: [undefined, 1] }), '{"a":[null,1]}');
  assertThrows(() => canonicalJson({ a: Infinity }));
  assertThrows(() => canonicalJson([NaN]));
});

Deno.test("a remembered digest is the digest of the same text", () => {
  for (let i = 0; i < 3; i++) {
    assertEquals(digestOf({ timeout: null }), `sha256:${sha256Hex('{"timeout":null}')}`);
  }
  const long = "x".repeat(2000);
  assertEquals(digestOf(long), `sha256:${sha256Hex(JSON.stringify(long))}`);
});
