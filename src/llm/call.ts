/**
 * What one llm call is, whatever the provider: the filled request (placeholders replaced, the
 * pinned model id chosen) and the answer read back. The provider files (openai.ts,
 * anthropic.ts, ollama.ts, fake.ts) turn a call into wire bytes and a response into an answer;
 * the runner (adapters/llm.ts) sends the bytes. Nothing here touches the network.
 * @module
 */
import type { LlmMessage, LlmProvider } from "../steps/llm_request.ts";

/** A request ready to send (no key in it: the provider adds its header). */
export interface LlmCall {
  provider: LlmProvider;
  /** The model sent: the pinned exact id when the lock has one, else the step's name. */
  model: string;
  baseUrl: string;
  system?: string;
  messages: LlmMessage[];
  temperature?: number;
  seed?: number;
  maxTokens?: number;
  stream: boolean;
  /** The JSON Schema the answer must satisfy (a `json` output's `schema:`), if any. */
  schema?: Record<string, unknown>;
  /** Whether a JSON answer is asked (a `json` output is declared). */
  json: boolean;
}

/** The bytes of one HTTP request to a provider. */
export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** What the provider answered. */
export interface LlmAnswer {
  text: string;
  /** The exact model id the provider reports (the pin). */
  model: string;
  usage: { input_tokens?: number; output_tokens?: number; cost?: number };
  /** Whether the answer came streamed (SSE or NDJSON). */
  streamed: boolean;
}

/** One provider's protocol. */
export interface ProviderProtocol {
  /** The request for `call`; `apiKey` goes in the provider's header, if given. */
  request(call: LlmCall, apiKey: string | undefined): WireRequest;
  /** Reads a 2xx response (plain JSON, or the streamed form) into an answer. */
  read(response: Response, call: LlmCall): Promise<LlmAnswer>;
}

/** The instruction that asks for a JSON answer, for providers with no schema parameter. */
export function jsonInstruction(schema: Record<string, unknown> | undefined): string {
  return schema
    ? `Answer with only a JSON value (no prose, no code fence) that satisfies this JSON Schema: ${
      JSON.stringify(schema)
    }`
    : "Answer with only a JSON value (no prose, no code fence).";
}

/**
 * The JSON value in an answer's text (a code fence around it is tolerated), or an error.
 *
 * @example
 * ```ts
 * import { parseJsonAnswer } from "./call.ts";
 * const fence = "`".repeat(3);
 * const r = parseJsonAnswer(`${fence}json\n{"a": 1}\n${fence}`);
 * if (!("value" in r) || (r.value as { a: number }).a !== 1) throw new Error("json");
 * ```
 */
export function parseJsonAnswer(text: string): { value: unknown } | { error: string } {
  let body = text.trim();
  const fence = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/.exec(body);
  if (fence) body = fence[1];
  try {
    return { value: JSON.parse(body) };
  } catch (error) {
    return { error: `the answer is not JSON (${(error as Error).message})` };
  }
}

/** A number field of a JSON object, or undefined. */
export function numberAt(object: unknown, key: string): number | undefined {
  if (typeof object !== "object" || object === null) return undefined;
  const value = (object as Record<string, unknown>)[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
