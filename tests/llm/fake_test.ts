// The fake provider: the same call always gets the same answer, a different prompt another, and
// with a schema a JSON value the project's validator accepts, for random schemas built from the
// keywords the generator knows.
import fc from "fast-check";
import { assert, assertEquals, assertNotEquals } from "../_assert.ts";
import { fakeAnswer, valueFor } from "../../src/llm/fake.ts";
import type { LlmCall } from "../../src/llm/call.ts";
import { schemaViolation } from "../../src/json_schema/validate.ts";

function call(prompt: string, extra: Partial<LlmCall> = {}): LlmCall {
  return {
    provider: "fake",
    model: "m",
    baseUrl: "",
    messages: [{ role: "user", content: prompt }],
    stream: false,
    json: false,
    ...extra,
  };
}

Deno.test("fake: deterministic per request, different for another prompt, model or seed", () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => {
      assertEquals(fakeAnswer(call(a)).text, fakeAnswer(call(a)).text);
      if (a !== b) assertNotEquals(fakeAnswer(call(a)).text, fakeAnswer(call(b)).text);
    }),
  );
  assertNotEquals(fakeAnswer(call("x")).text, fakeAnswer(call("x", { model: "n" })).text);
  assertNotEquals(fakeAnswer(call("x")).text, fakeAnswer(call("x", { seed: 1 })).text);
  assertEquals(fakeAnswer(call("x")).model, "fake:m");
});

const leaf = fc.oneof(
  fc.constant({ type: "string" }),
  fc.record({ type: fc.constant("string"), minLength: fc.nat(30) }),
  fc.record({ type: fc.constant("integer"), minimum: fc.integer({ min: -50, max: 50 }) })
    .map((s) => ({ ...s, maximum: s.minimum + 10 })),
  fc.constant({ type: "number" }),
  fc.constant({ type: "boolean" }),
  fc.constant({ type: "null" }),
  fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 4 })
    .map((e) => ({ enum: [...new Set(e)] })),
  fc.jsonValue().map((v) => ({ const: v })),
);
const schema = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small" }, leaf, tie("object"), tie("array")),
  object: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie("node"), { maxKeys: 4 })
    .map((properties) => ({
      type: "object",
      properties,
      required: Object.keys(properties),
    })),
  array: fc.record({ items: tie("node"), minItems: fc.nat(3) })
    .map((s) => ({ type: "array", ...s })),
})).node;

Deno.test("fake: a JSON answer satisfies a declared schema (random schemas)", async () => {
  await fc.assert(
    fc.asyncProperty(
      schema,
      fc.uint8Array({ minLength: 32, maxLength: 32 })
        .map((b) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("")),
      async (s, seed) => {
        const value = valueFor(s, seed);
        const violation = await schemaViolation(value, s as Record<string, unknown>);
        assertEquals(violation, undefined, JSON.stringify({ s, value }));
      },
    ),
    { numRuns: 300 },
  );
  const answer = fakeAnswer(
    call("rate", {
      json: true,
      schema: { type: "object", required: ["a"], properties: { a: { enum: ["x", "y"] } } },
    }),
  );
  assert(["x", "y"].includes(JSON.parse(answer.text).a));
});
