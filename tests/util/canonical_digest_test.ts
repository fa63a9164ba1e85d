// The streamed digest must be digestOf's for every shape canonicalJson handles (the run checks
// a compiled lock's plan with it against the spec_hash compose wrote with digestOf).
import { assertEquals, assertThrows } from "../_assert.ts";
import { canonicalDigest } from "../../src/util/canonical_digest.ts";
import { digestOf } from "../../src/util/canonical_json.ts";

Deno.test("canonicalDigest equals digestOf on every shape, small and large", () => {
  // deno-lint-ignore no-sparse-arrays
  const holes = [1, , 3];
  const values: unknown[] = [
    null,
    "",
    'é\u0000\u2028"\\',
    true,
    false,
    0,
    -1.5e-7,
    1e21,
    [],
    {},
    holes,
    [undefined, null, { a: undefined, b: 1 }],
    { "b": 1, "a": 2, "é": 3, "A": 4, "": 5, "10": 6, "9": 7 },
    { nested: { deeper: [{ z: "z", y: ["y"] }] } },
  ];
  // Past the 32 KB piece size, with pieces cut inside strings, keys and numbers.
  const steps = Array.from({ length: 3000 }, (_, i) => ({
    id: `s${i}`,
    needs: i ? [`s${i - 1}`] : [],
    with: { run: `/usr/bin/true s${i} ${"é".repeat(i % 7)}` },
    timeout_ms: i % 3 ? null : 1000 * i,
    ratio: i / 7,
  }));
  values.push({ plan: { steps } });
  for (const value of values) assertEquals(canonicalDigest(value), digestOf(value));
});

Deno.test("canonicalDigest refuses what canonicalJson refuses", () => {
  assertThrows(() => canonicalDigest({ a: Infinity }));
  assertThrows(() => canonicalDigest([NaN]));
  assertThrows(() => canonicalDigest({ f: () => 1 }));
});
