// The compose-time check of schemas: what it accepts, and where it points when it refuses.
import { assertEquals } from "../_assert.ts";
import { SCHEMA_KEYWORDS, schemaProblems } from "../../src/json_schema/check.ts";
import { schemaViolation } from "../../src/json_schema/validate.ts";

/** A schema using every keyword Lily accepts, each with a valid value. */
const EVERY_KEYWORD: Record<string, unknown> = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $comment: "all of them",
  title: "t",
  description: "d",
  default: {},
  examples: [{}],
  deprecated: false,
  readOnly: false,
  writeOnly: false,
  type: ["object", "null"],
  enum: [{ a: 1 }, null],
  const: { a: 1 },
  required: ["a"],
  properties: { a: { type: "integer", minimum: 0, maximum: 9, multipleOf: 1 } },
  patternProperties: { "^x-": { type: "string", minLength: 1, maxLength: 9, pattern: "^x" } },
  additionalProperties: false,
  unevaluatedProperties: false,
  propertyNames: { format: "regex" },
  minProperties: 0,
  maxProperties: 9,
  dependentRequired: { a: [] },
  dependentSchemas: { a: true },
  items: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
  prefixItems: [true],
  unevaluatedItems: false,
  contains: true,
  minContains: 0,
  maxContains: 9,
  minItems: 0,
  maxItems: 9,
  uniqueItems: true,
  allOf: [true],
  anyOf: [true],
  oneOf: [{ $ref: "#/$defs/any" }],
  not: false,
  if: true,
  then: true,
  else: true,
  $defs: { any: true },
  $ref: "#",
  format: "date",
  minimum: 0,
  maximum: 9,
  exclusiveMinimum: -1,
  exclusiveMaximum: 10,
  multipleOf: 0.5,
  minLength: 0,
  maxLength: 1,
  pattern: ".",
};

Deno.test("a schema using every supported keyword has no problem, and the validator applies it", async () => {
  assertEquals(Object.keys(SCHEMA_KEYWORDS).filter((k) => !(k in EVERY_KEYWORD)), []);
  const { $ref: _, ...schema } = EVERY_KEYWORD;
  assertEquals(schemaProblems(EVERY_KEYWORD), []);
  // Applying it throws nothing (an unsupported keyword shape would throw here).
  await schemaViolation({ a: 1 }, schema);
});

Deno.test("each problem points at its keyword, with a hint", () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ $ref: "https://example.com/s.json" }, "$ref", /does not point inside/],
    [{ $ref: "#/$defs/missing" }, "$ref", /points to nothing/],
    [{ items: [{}, {}] }, "items", /one schema/],
    [{ exclusiveMinimum: true }, "exclusiveMinimum", /is a number/],
    [{ $schema: "http://json-schema.org/draft-07/schema#" }, "$schema", /draft-07/],
    [{ patternProperties: { "a(": {} } }, "patternProperties.a(", /not a valid regular/],
    [{ anyOf: [] }, "anyOf", /non-empty list/],
    [{ properties: { a: 3 } }, "properties.a", /a schema is an object/],
    [{ minLength: -1 }, "minLength", /whole number/],
    [{ enum: [] }, "enum", /non-empty/],
  ];
  for (const [schema, at, message] of cases) {
    const problems = schemaProblems(schema);
    assertEquals(problems.map((p) => p.path.join(".")), [at], JSON.stringify(schema));
    assertEquals(message.test(problems[0].message), true, problems[0].message);
  }
});
