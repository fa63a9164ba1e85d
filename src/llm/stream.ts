/**
 * The streamed forms of provider answers: server-sent events (OpenAI, Anthropic) and
 * newline-delimited JSON (Ollama), read from a response body as it arrives, an event split
 * across reads reassembled.
 * @module
 */

/** One server-sent event. */
export interface SseEvent {
  /** The `event:` field (empty when absent). */
  event: string;
  /** The `data:` lines joined by newlines. */
  data: string;
}

async function* lines(body: ReadableStream<Uint8Array> | null): AsyncGenerator<string> {
  if (!body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buffer.search(/\r?\n|\r/)) >= 0) {
      // A lone \r at the end may be the first half of \r\n: wait for the next read.
      if (buffer[at] === "\r" && at === buffer.length - 1) break;
      const line = buffer.slice(0, at);
      const sep = buffer[at] === "\r" && buffer[at + 1] === "\n" ? 2 : 1;
      buffer = buffer.slice(at + sep);
      yield line;
    }
  }
  buffer += decoder.decode();
  for (const line of buffer.split(/\r?\n|\r/)) yield line;
}

/**
 * The events of an SSE body (comments and retry fields skipped), as the HTML standard's event
 * stream parser reads them.
 *
 * @example
 * ```ts
 * import { sseEvents } from "./stream.ts";
 * const body = new Response("event: a\ndata: 1\n\n: note\ndata: 2\n\n").body;
 * const seen = [];
 * for await (const e of sseEvents(body)) seen.push(`${e.event}=${e.data}`);
 * if (seen.join() !== "a=1,=2") throw new Error(seen.join());
 * ```
 */
export async function* sseEvents(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<SseEvent> {
  let event = "";
  let data: string[] = [];
  for await (const line of lines(body)) {
    if (line === "") {
      if (data.length) yield { event, data: data.join("\n") };
      event = "";
      data = [];
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length) yield { event, data: data.join("\n") };
}

/** The JSON objects of an NDJSON body, one per non-empty line. */
export async function* ndjsonObjects(
  body: ReadableStream<Uint8Array> | null,
): AsyncGenerator<Record<string, unknown>> {
  for await (const line of lines(body)) {
    if (line.trim() === "") continue;
    yield JSON.parse(line);
  }
}

/** Whether a response carries the streamed form (by its content type). */
export function isStreamed(response: Response): boolean {
  const type = response.headers.get("content-type") ?? "";
  return type.includes("text/event-stream") || type.includes("ndjson");
}
