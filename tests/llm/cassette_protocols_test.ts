// Cassettes under the llm providers' own request builders and stream readers (src/llm/openai.ts,
// anthropic.ts, ollama.ts) against the local protocol servers (tests/llm/_servers.ts): for each
// protocol, plain and streamed, a recorded call replays with the server closed, the reader gets
// the same answer from the replayed stream (SSE with `event:` lines, NDJSON), event by event,
// and neither the cassette nor the answer reassembled from it holds the key, which the
// servers' streams cut across events.
import { assert, assertEquals } from "../_assert.ts";
import { cassettePath, cassetteShelf } from "../../src/llm/cassette.ts";
import type { LlmCall, ProviderProtocol } from "../../src/llm/call.ts";
import { openaiProtocol } from "../../src/llm/openai.ts";
import { anthropicProtocol } from "../../src/llm/anthropic.ts";
import { ollamaProtocol } from "../../src/llm/ollama.ts";
import { secretForms } from "../../src/sandbox/mask.ts";
import { type Protocol, startLlmServer } from "./_servers.ts";

const KEY = "sk-ant-api03-cassette-KEY-0123456789";
const PROTOCOLS: Record<Protocol, ProviderProtocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  ollama: ollamaProtocol,
};

/** Sends `call` through `f`; returns the answer and the raw chunks of the body as received. */
async function send(f: typeof fetch, protocol: Protocol, call: LlmCall) {
  const wire = PROTOCOLS[protocol].request(call, KEY);
  const response = await f(wire.url, {
    method: "POST",
    headers: wire.headers,
    body: JSON.stringify(wire.body),
  });
  assertEquals(response.status, 200);
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.clone().body!) chunks.push(decoder.decode(chunk));
  const answer = await PROTOCOLS[protocol].read(response, call);
  return { answer, chunks };
}

for (const protocol of ["openai", "anthropic", "ollama"] as const) {
  for (const stream of [true, false]) {
    Deno.test(`cassette ${protocol} ${stream ? "streamed" : "plain"}: recorded through the provider's code, replayed with the server closed`, async () => {
      const server = startLlmServer(protocol);
      const dir = await Deno.makeTempDir({ prefix: "lily-cassette-proto-" });
      try {
        const call: LlmCall = {
          provider: protocol,
          model: "test-model",
          baseUrl: server.baseUrl,
          system: "You are terse.",
          messages: [{ role: "user", content: `Say hello to Ana (${KEY}).` }],
          temperature: 0.2,
          seed: 7,
          maxTokens: 64,
          stream,
          json: false,
        };
        const path = cassettePath(dir, "ask", `${protocol}-${stream}`);
        const options = { mode: "once" as const, path, secrets: [KEY] };
        const recording = await cassetteShelf().open(fetch, options);
        const live = await send(recording.fetch, protocol, call);
        await recording.save();
        assertEquals(server.hits.length, 1);
        await server.close();
        const text = await Deno.readTextFile(path);
        for (const form of secretForms(KEY)) assert(!text.includes(form), `${form} in ${text}`);
        if (stream) assert(/^ {6}events:$/m.test(text), text);
        const replaying = await cassetteShelf().open(fetch, { ...options, mode: "none" });
        const replayed = await send(replaying.fetch, protocol, call);
        // The reader sees the same answer with the key masked, even where the stream cut the
        // key into pieces across events; a stream arrives as one chunk per event.
        const masked = (s: string) => s.replaceAll(KEY, "***");
        assertEquals(replayed.answer, { ...live.answer, text: masked(live.answer.text) });
        if (!stream) assertEquals(replayed.chunks.join(""), masked(live.chunks.join("")));
        else {
          const separator = protocol === "ollama" ? "\n" : "\n\n";
          const events = live.chunks.join("").split(separator).filter(Boolean);
          assertEquals(replayed.chunks.length, events.length);
          assert(replayed.chunks.every((c) => c.endsWith(separator)));
        }
      } finally {
        await server.close().catch(() => {});
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}
