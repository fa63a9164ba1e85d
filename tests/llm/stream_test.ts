// The streamed answer forms are read as they arrive: SSE events and NDJSON lines split at any
// byte (including inside a multi-byte character and between \r and \n) read the same.
import fc from "fast-check";
import { assertEquals } from "../_assert.ts";
import { ndjsonObjects, sseEvents } from "../../src/llm/stream.ts";

/** A body that delivers `bytes` in chunks cut at `cuts`. */
function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return new ReadableStream({
    start(stream) {
      let from = 0;
      for (const to of [...at, bytes.length]) {
        if (to > from) stream.enqueue(bytes.slice(from, to));
        from = Math.max(from, to);
      }
      stream.close();
    },
  });
}

Deno.test("sse: events cut at any byte read the same; comments skipped, multi-line data joined", async () => {
  const text = 'event: message_start\r\ndata: {"a":"é☃"}\r\n\r\n: keep-alive\n\n' +
    "data: line one\ndata: line two\n\nevent: done\ndata: [DONE]\n\n";
  const expected = [
    { event: "message_start", data: '{"a":"é☃"}' },
    { event: "", data: "line one\nline two" },
    { event: "done", data: "[DONE]" },
  ];
  const bytes = new TextEncoder().encode(text);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
      const seen = [];
      for await (const e of sseEvents(chunked(bytes, cuts))) seen.push(e);
      assertEquals(seen, expected);
    }),
    { numRuns: 200 },
  );
});

Deno.test("ndjson: objects cut at any byte read the same; blank lines skipped", async () => {
  const objects = [{ message: { content: "héllo" } }, { done: false }, { done: true, n: 3 }];
  const bytes = new TextEncoder().encode(objects.map((o) => JSON.stringify(o)).join("\n\n") + "\n");
  await fc.assert(
    fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
      const seen = [];
      for await (const o of ndjsonObjects(chunked(bytes, cuts))) seen.push(o);
      assertEquals(seen, objects);
    }),
    { numRuns: 200 },
  );
});
