import { assertEquals, assertNotEquals } from "../_assert.ts";
import fc from "fast-check";
import jsyaml from "js-yaml";
import { parse as yamlParse } from "yaml";
import { canonicalJson, digestOf } from "../../src/util/canonical_json.ts";
import { toCanonicalYaml } from "../../src/lock/canonical.ts";

const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)));
const tricky = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "true",
    "no",
    "~",
    "null",
    "1e3",
    "0x1F",
    "- a",
    "a: b",
    "#x",
    "|",
    ">",
    "'q'",
    '"dq"',
    "a\nb",
    "a\n",
    "a\n\n",
    " lead",
    "trail ",
    "\t",
    "\u2028",
    "é",
    "@x",
    "`x",
    "*a",
    "&a",
    "!t",
    "%x",
    "{a}",
    "[a]",
    "a #b",
    "?",
    ":",
  ),
  fc.string(),
  fc.string({ unit: "grapheme" }),
);
const values = fc.oneof(json, fc.dictionary(tricky, fc.oneof(tricky, json)), fc.array(tricky));

Deno.test("canonical YAML parses back to the same value (js-yaml and yaml)", () => {
  fc.assert(
    fc.property(values, (value) => {
      const text = toCanonicalYaml(value);
      assertEquals(
        canonicalJson(jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA })),
        canonicalJson(value),
      );
      assertEquals(canonicalJson(yamlParse(text)), canonicalJson(value));
    }),
    { numRuns: 400 },
  );
});

Deno.test("canonical JSON does not depend on key insertion order", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (map) => {
      const reversed = Object.fromEntries(Object.entries(map).reverse());
      assertEquals(canonicalJson(map), canonicalJson(reversed));
      assertEquals(toCanonicalYaml(map), toCanonicalYaml(reversed));
    }),
  );
});

Deno.test("digestOf changes when any value changes", () => {
  assertNotEquals(digestOf({ a: 1 }), digestOf({ a: 2 }));
  assertNotEquals(digestOf({ a: "1" }), digestOf({ a: 1 }));
  assertEquals(digestOf({ a: 1, b: 2 }), digestOf({ b: 2, a: 1 }));
});

Deno.test("multi-line strings are written as literal blocks", () => {
  assertEquals(toCanonicalYaml({ run: "echo a\necho b\n" }), "run: |\n  echo a\n  echo b\n");
  assertEquals(toCanonicalYaml({ run: "echo a\necho b" }), "run: |-\n  echo a\n  echo b\n");
});
