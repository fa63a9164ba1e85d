// A secret a stream cuts across events (src/llm/cassette_scrub.ts): however the answer's text
// is split into SSE or JSON-lines events, the text reassembled from the scrubbed events holds
// no secret, keeps everything around it, and shows one mask per occurrence.
import fc from "fast-check";
import { assert, assertEquals } from "../_assert.ts";
import { scrubEvents, secretPattern } from "../../src/llm/cassette_scrub.ts";

const SECRET = "sk-live-Zq81-secret";

function split(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let at = 0;
  for (const p of [...points, text.length]) {
    out.push(text.slice(at, p));
    at = p;
  }
  return out;
}

function reassemble(events: string[], sse: boolean): string {
  return events.map((e) => {
    const json = sse ? e.split("\n").find((l) => l.startsWith("data: "))!.slice(6) : e;
    return (JSON.parse(json) as { delta: { text: string } }).delta.text;
  }).join("");
}

Deno.test("a secret cut across stream events is masked in the reassembled answer", () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      fc.array(fc.nat(80), { maxLength: 8 }),
      fc.boolean(),
      (before, after, cuts, sse) => {
        fc.pre(!(before + after).includes("sk-") && !(before + after).includes("*"));
        const text = `${before}${SECRET}${after}`;
        const events = split(text, cuts).map((piece) => {
          const json = JSON.stringify({ type: "delta", delta: { text: piece } });
          return sse ? `event: content_block_delta\ndata: ${json}` : json;
        });
        const scrubbed = scrubEvents(events, sse, secretPattern([SECRET]));
        assertEquals(scrubbed.length, events.length);
        assertEquals(reassemble(scrubbed, sse), `${before}***${after}`);
        if (sse) assert(scrubbed.every((e) => e.startsWith("event: content_block_delta\n")));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("events without a secret, or not JSON, are left byte for byte", () => {
  const events = ['data: {"a":"x" , "b":1}', "data: [DONE]", ": comment"];
  assertEquals(scrubEvents(events, true, secretPattern([SECRET])), events);
  assertEquals(scrubEvents(events, true, undefined), events);
});
