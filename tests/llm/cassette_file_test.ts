// The cassette file's text (src/llm/cassette_file.ts): any interactions written read back the
// same (property test over arbitrary JSON bodies, texts and event streams), and the text is
// canonical (the same interactions in another key order give the same bytes).
import fc from "fast-check";
import { assertEquals } from "../_assert.ts";
import { cassetteText, parseCassette } from "../../src/llm/cassette_file.ts";
import type { Interaction } from "../../src/llm/cassette_http.ts";
import { createMasker } from "../../src/sandbox/mask.ts";
import { canonicalJson } from "../../src/util/canonical_json.ts";

const noMask = createMasker([]);
const text = fc.string({ unit: "binary", maxLength: 80 });
const headers = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), text, { maxKeys: 3 });

const interaction: fc.Arbitrary<Interaction> = fc.record({
  request: fc.record({
    method: fc.constantFrom("GET", "POST", "PUT"),
    url: fc.webUrl({ withQueryParameters: true }),
    headers: fc.option(headers, { nil: undefined }),
    json: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  }, { requiredKeys: ["method", "url"] }),
  response: fc.oneof(
    fc.record({ status: fc.integer({ min: 200, max: 599 }), body: text }),
    fc.record({
      status: fc.constant(200),
      headers: fc.constant({ "content-type": "text/event-stream" }),
      events: fc.array(text, { maxLength: 4 }),
      tail: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
    }, { requiredKeys: ["status", "headers", "events"] }),
  ),
});

/** Drops `undefined` members and normalizes numbers as JSON does (`-0` is `0`). */
function plain(value: unknown): unknown {
  return JSON.parse(canonicalJson(value));
}

Deno.test("any cassette written reads back the same interactions", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(interaction, { maxLength: 4 }), async (interactions) => {
      const written = cassetteText(interactions, noMask);
      const read = await parseCassette("c.yaml", written);
      assertEquals(plain(read), plain(interactions));
      // Writing what was read gives the same bytes.
      assertEquals(cassetteText(read, noMask), written);
    }),
    { numRuns: 200 },
  );
});

Deno.test("the text does not depend on key order", () => {
  const a: Interaction = {
    request: { method: "POST", url: "http://h/x", json: { b: 1, a: { d: [1, 2], c: null } } },
    response: { status: 200, headers: { "x-b": "1", "content-type": "text/plain" }, body: "ok" },
  };
  const b: Interaction = {
    response: { body: "ok", headers: { "content-type": "text/plain", "x-b": "1" }, status: 200 },
    request: { json: { a: { c: null, d: [1, 2] }, b: 1 }, url: "http://h/x", method: "POST" },
  };
  assertEquals(cassetteText([b], noMask), cassetteText([a], noMask));
});
