/**
 * The Anthropic messages protocol (`POST {base_url}/messages`, `x-api-key`,
 * `anthropic-version`): the plain JSON message and the SSE stream (`message_start`,
 * `content_block_delta` text deltas, `message_delta` usage, `message_stop`). A JSON answer is
 * asked for in the system prompt (the protocol has no schema parameter).
 * @module
 */
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from "../steps/llm_request.ts";
import {
  jsonInstruction,
  type LlmAnswer,
  type LlmCall,
  numberAt,
  type ProviderProtocol,
} from "./call.ts";
import { isStreamed, sseEvents } from "./stream.ts";

/** The `anthropic-version` header Lily sends. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** The Anthropic protocol. */
export const anthropicProtocol: ProviderProtocol = {
  request(call, apiKey) {
    const body: Record<string, unknown> = {
      model: call.model,
      max_tokens: call.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      messages: call.messages.map((m) => ({ role: m.role, content: m.content })),
    };
    const system = [call.system, call.json ? jsonInstruction(call.schema) : undefined]
      .filter((s) => s !== undefined).join("\n\n");
    if (system) body.system = system;
    if (call.temperature !== undefined) body.temperature = Math.min(call.temperature, 1);
    if (call.stream) body.stream = true;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "anthropic-version": ANTHROPIC_VERSION,
    };
    if (apiKey !== undefined) headers["x-api-key"] = apiKey;
    // A base URL written as the SDK takes it (`https://api.anthropic.com`) works too.
    const base = /\/v\d+$/.test(call.baseUrl) ? call.baseUrl : `${call.baseUrl}/v1`;
    return { url: `${base}/messages`, headers, body };
  },
  async read(response, call) {
    if (isStreamed(response)) return await readStream(response, call);
    const json = await response.json() as Record<string, unknown>;
    const blocks = json.content as Record<string, unknown>[] | undefined;
    if (!Array.isArray(blocks)) throw new Error("the answer has no `content`");
    return {
      text: blocks.filter((b) => b.type === "text").map((b) => String(b.text ?? "")).join(""),
      model: typeof json.model === "string" ? json.model : call.model,
      usage: usageOf(json.usage),
      streamed: false,
    };
  },
};

async function readStream(response: Response, call: LlmCall): Promise<LlmAnswer> {
  let text = "";
  let model = "";
  const usage: LlmAnswer["usage"] = {};
  let stopped = false;
  // Read to the end of the body even after `message_stop`: a cassette records a stream once it
  // ended.
  for await (const event of sseEvents(response.body)) {
    if (stopped) continue;
    const data = JSON.parse(event.data) as Record<string, unknown>;
    const type = event.event || String(data.type ?? "");
    if (type === "error") {
      throw new Error(`the stream reports an error: ${JSON.stringify(data.error ?? data)}`);
    }
    if (type === "message_start") {
      const message = data.message as Record<string, unknown> | undefined;
      if (typeof message?.model === "string") model = message.model;
      Object.assign(usage, usageOf(message?.usage));
    } else if (type === "content_block_delta") {
      const delta = data.delta as Record<string, unknown> | undefined;
      if (delta?.type === "text_delta" && typeof delta.text === "string") text += delta.text;
    } else if (type === "message_delta") {
      Object.assign(usage, usageOf(data.usage));
    } else if (type === "message_stop") stopped = true;
  }
  if (!stopped) throw new Error("the stream ended before `message_stop`");
  return { text, model: model || call.model, usage, streamed: true };
}

function usageOf(usage: unknown): LlmAnswer["usage"] {
  const out: LlmAnswer["usage"] = {};
  const input = numberAt(usage, "input_tokens");
  const output = numberAt(usage, "output_tokens");
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  return out;
}
