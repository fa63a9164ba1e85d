/**
 * A recorder run as its own process by the kill test: records one chat request with a large
 * prompt (`deno run -A _cassette_recorder.ts CASSETTE BASE_URL SIZE`) into CASSETTE (mode
 * `all`) and saves it. The test kills it with SIGKILL while the cassette is being written.
 * @module
 */
import { openCassette } from "../../src/llm/cassette.ts";
import { chatBody } from "./_cassette_server.ts";

const [path, baseUrl, size] = Deno.args;
const cassette = await openCassette(fetch, { mode: "all", path, secrets: ["sk-recorder-key"] });
const prompt = "lorem ipsum dolor sit amet\n".repeat(Math.ceil(Number(size) / 27));
const response = await cassette.fetch(`${baseUrl}/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(chatBody(prompt)),
});
await response.text();
await cassette.save();
console.log("saved");
