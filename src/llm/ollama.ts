/**
 * Ollama's native chat protocol (`POST {base_url}/api/chat`): the plain JSON answer
 * (`stream: false`) and the NDJSON stream of messages ended by `done: true`. Parameters go in
 * `options`; a JSON answer is asked with `format` (the schema itself when one is declared).
 * @module
 */
import { type LlmAnswer, type LlmCall, numberAt, type ProviderProtocol } from "./call.ts";
import { isStreamed, ndjsonObjects } from "./stream.ts";

/** The Ollama protocol. */
export const ollamaProtocol: ProviderProtocol = {
  request(call, apiKey) {
    const messages: Record<string, unknown>[] = [];
    if (call.system !== undefined) messages.push({ role: "system", content: call.system });
    for (const m of call.messages) messages.push({ role: m.role, content: m.content });
    const options: Record<string, unknown> = {};
    if (call.temperature !== undefined) options.temperature = call.temperature;
    if (call.seed !== undefined) options.seed = call.seed;
    if (call.maxTokens !== undefined) options.num_predict = call.maxTokens;
    const body: Record<string, unknown> = { model: call.model, messages, stream: call.stream };
    if (Object.keys(options).length) body.options = options;
    if (call.json) body.format = call.schema ?? "json";
    const headers: Record<string, string> = { "content-type": "application/json" };
    // A local Ollama needs no key; one behind a proxy may take a bearer token.
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    return { url: `${call.baseUrl}/api/chat`, headers, body };
  },
  async read(response, call) {
    if (!isStreamed(response)) {
      const json = await response.json() as Record<string, unknown>;
      return { ...answerOf(json, call), text: contentOf(json), streamed: false };
    }
    let text = "";
    let last: Record<string, unknown> | undefined;
    // Read to the end of the body even after `done`: a cassette records a stream once it ended.
    for await (const object of ndjsonObjects(response.body)) {
      if (last) continue;
      if (object.error) throw new Error(`the stream reports an error: ${String(object.error)}`);
      text += contentOf(object);
      if (object.done === true) last = object;
    }
    if (!last) throw new Error("the stream ended before `done: true`");
    return { ...answerOf(last, call), text, streamed: true };
  },
};

function contentOf(object: Record<string, unknown>): string {
  const message = object.message as Record<string, unknown> | undefined;
  return typeof message?.content === "string" ? message.content : "";
}

function answerOf(
  object: Record<string, unknown>,
  call: LlmCall,
): Omit<LlmAnswer, "text" | "streamed"> {
  const usage: LlmAnswer["usage"] = {};
  const input = numberAt(object, "prompt_eval_count");
  const output = numberAt(object, "eval_count");
  if (input !== undefined) usage.input_tokens = input;
  if (output !== undefined) usage.output_tokens = output;
  return { model: typeof object.model === "string" ? object.model : call.model, usage };
}
