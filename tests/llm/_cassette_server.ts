/**
 * A small OpenAI chat-completions server for the cassette tests: `POST /v1/chat/completions`
 * (and Ollama's streamed `POST /api/chat`, JSON lines)
 * on 127.0.0.1 (a random port), answering with the last user message echoed back (`echo: …`,
 * numbered by a per-server counter so repeated requests get different answers), as one JSON
 * body or, with `stream: true`, as server-sent events the way OpenAI sends them (one
 * `chat.completion.chunk` per word, then `data: [DONE]`). It checks the bearer key, and adds
 * the headers a real provider varies on every call (`date`, `x-request-id`), a cookie, and the
 * key it was sent in a response header, so a test can see that none of them is recorded.
 * @module
 */

/** A running server and what it has been asked. */
export interface ChatServer {
  /** `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  /** Requests served so far (a replayed request never reaches the server). */
  readonly hits: number;
  /** Changes the answers from now on (`all` re-records a different answer). */
  setPrefix(prefix: string): void;
  /** Numbers answers from 1 again (a second recording gets the same answers). */
  resetCount(): void;
  /** Answers the next requests with these statuses first (429 with `Retry-After: 0`, 5xx). */
  failNext(...statuses: number[]): void;
  /** Stops the server and waits until it is closed. */
  stop(): Promise<void>;
}

/** Options for {@linkcode startChatServer}. */
export interface ChatServerOptions {
  /** The bearer key the server accepts (any when absent). */
  key?: string;
}

/** Starts the server on a random port of 127.0.0.1. */
export function startChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  let hits = 0;
  let answered = 0;
  let prefix = "echo";
  const failures: number[] = [];
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) },
    async (request) => {
      hits++;
      const url = new URL(request.url);
      const auth = request.headers.get("authorization") ?? "";
      const headers = {
        "x-request-id": crypto.randomUUID(),
        "set-cookie": `session=${crypto.randomUUID()}; Path=/`,
        "x-echo-authorization": auth,
        "openai-processing-ms": String(Math.floor(Math.random() * 1000)),
      };
      if (options.key !== undefined && auth !== `Bearer ${options.key}`) {
        return Response.json({ error: { message: "bad key", type: "invalid_request_error" } }, {
          status: 401,
          headers,
        });
      }
      const failure = failures.shift();
      if (failure !== undefined) {
        return Response.json({ error: { message: `scripted ${failure}` } }, {
          status: failure,
          headers: { ...headers, ...(failure === 429 ? { "retry-after": "0" } : {}) },
        });
      }
      if (request.method === "POST" && url.pathname === "/api/chat") {
        // Ollama's native chat: JSON lines, one object per word, then `done: true`.
        const body = await request.json() as { model: string; messages: { content: string }[] };
        answered++;
        const words = `${prefix} ${answered}: ${body.messages.at(-1)?.content ?? ""}`
          .split(/(?<= )/);
        const lines = [
          ...words.map((w) => ({ model: body.model, message: { role: "assistant", content: w } })),
          { model: body.model, done: true, done_reason: "stop" },
        ].map((l) => JSON.stringify(l) + "\n");
        let next = 0;
        const encoder = new TextEncoder();
        return new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              if (next < lines.length) controller.enqueue(encoder.encode(lines[next++]));
              else controller.close();
            },
          }),
          { headers: { ...headers, "content-type": "application/x-ndjson" } },
        );
      }
      if (request.method !== "POST" || url.pathname !== "/v1/chat/completions") {
        return Response.json({ error: { message: "not found" } }, { status: 404, headers });
      }
      const body = await request.json() as {
        model: string;
        stream?: boolean;
        messages: { role: string; content: string }[];
      };
      const last = body.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
      answered++;
      const text = `${prefix} ${answered}: ${last}`;
      const id = `chatcmpl-${answered}`;
      if (!body.stream) {
        return Response.json({
          id,
          object: "chat.completion",
          created: 1700000000,
          model: body.model,
          choices: [{
            index: 0,
            message: { role: "assistant", content: text },
            finish_reason: "stop",
          }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }, { headers });
      }
      const words = text.split(/(?<= )/);
      const encoder = new TextEncoder();
      const chunk = (delta: Record<string, string>, finish: string | null) =>
        `data: ${
          JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created: 1700000000,
            model: body.model,
            choices: [{ index: 0, delta, finish_reason: finish }],
          })
        }\n\n`;
      const events = [
        chunk({ role: "assistant", content: "" }, null),
        ...words.map((w) => chunk({ content: w }, null)),
        chunk({}, "stop"),
        "data: [DONE]\n\n",
      ];
      let next = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (next < events.length) controller.enqueue(encoder.encode(events[next++]));
          else controller.close();
        },
      });
      return new Response(stream, {
        headers: { ...headers, "content-type": "text/event-stream; charset=utf-8" },
      });
    },
  );
  return listening.then((port) => ({
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get hits() {
      return hits;
    },
    setPrefix(value: string) {
      prefix = value;
    },
    resetCount() {
      answered = 0;
    },
    failNext(...statuses: number[]) {
      failures.push(...statuses);
    },
    async stop() {
      await server.shutdown();
    },
  }));
}

/** The body of a chat-completions request for `prompt` (`stream` for SSE). */
export function chatBody(prompt: string, stream = false): Record<string, unknown> {
  return {
    model: "test-model",
    temperature: 0,
    ...(stream ? { stream: true } : {}),
    messages: [{ role: "system", content: "be brief" }, { role: "user", content: prompt }],
  };
}
