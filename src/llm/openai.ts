/**
 * The OpenAI chat completions protocol (`POST {base_url}/chat/completions`), spoken by OpenAI
 * and every OpenAI-compatible server (vLLM, llama.cpp, LM Studio, Ollama's `/v1`): the plain
 * JSON answer and the SSE stream of `chat.completion.chunk`s ended by `data: [DONE]`.
 * @module
 */
import { type LlmAnswer, type LlmCall, numberAt, type ProviderProtocol } from "./call.ts";
import { isStreamed, sseEvents } from "./stream.ts";

/** The OpenAI protocol. */
export const openaiProtocol: ProviderProtocol = {
  request(call, apiKey) {
    const messages: Record<string, unknown>[] = [];
    if (call.system !== undefined) messages.push({ role: "system", content: call.system });
    for (const m of call.messages) messages.push({ role: m.role, content: m.content });
    const body: Record<string, unknown> = { model: call.model, messages };
    if (call.temperature !== undefined) body.temperature = call.temperature;
    if (call.seed !== undefined) body.seed = call.seed;
    if (call.maxTokens !== undefined) body.max_tokens = call.maxTokens;
    if (call.json) {
      body.response_format = call.schema
        ? { type: "json_schema", json_schema: { name: "output", schema: call.schema } }
        : { type: "json_object" };
    }
    if (call.stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    }
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    return { url: `${call.baseUrl}/chat/completions`, headers, body };
  },
  async read(response, call) {
    if (isStreamed(response)) return await readStream(response, call);
    const json = await response.json() as Record<string, unknown>;
    const choice = (json.choices as Record<string, unknown>[] | undefined)?.[0];
    const message = choice?.message as Record<string, unknown> | undefined;
    if (typeof message?.content !== "string") {
      throw new Error("the answer has no `choices[0].message.content`");
    }
    return {
      text: message.content,
      model: typeof json.model === "string" ? json.model : call.model,
      usage: usageOf(json.usage),
      streamed: false,
    };
  },
};

async function readStream(response: Response, call: LlmCall): Promise<LlmAnswer> {
  let text = "";
  let model = "";
  let usage: LlmAnswer["usage"] = {};
  let done = false;
  // Read to the end of the body even after `[DONE]`: a cassette records a stream once it ended.
  for await (const event of sseEvents(response.body)) {
    if (done) continue;
    if (event.data === "[DONE]") {
      done = true;
      continue;
    }
    const chunk = JSON.parse(event.data) as Record<string, unknown>;
    if (chunk.error) throw new Error(`the stream reports an error: ${JSON.stringify(chunk.error)}`);
    if (typeof chunk.model === "string" && chunk.model) model = chunk.model;
    for (const choice of (chunk.choices as Record<string, unknown>[] | undefined) ?? []) {
      const delta = choice.delta as Record<string, unknown> | undefined;
      if (choice.index === 0 && typeof delta?.content === "string") text += delta.content;
    }
    if (chunk.usage) usage = usageOf(chunk.usage);
  }
  if (!done) throw new Error("the stream ended before `data: [DONE]`");
  return { text, model: model || call.model, usage, streamed: true };
}

function usageOf(usage: unknown): LlmAnswer["usage"] {
  const out: LlmAnswer["usage"] = {};
  const input = numberAt(usage, "prompt_tokens");
  const output = numberAt(usage, "completion_tokens");
  const cost = numberAt(usage, "cost");
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  if (cost !== undefined) out.cost = cost;
  return out;
}
