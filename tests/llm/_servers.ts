// Local LLM provider servers for tests: Deno.serve on 127.0.0.1 (a random port) speaking the
// real wire protocols Lily's llm steps use — OpenAI chat completions (`POST /v1/chat/completions`,
// a JSON answer or SSE when the request says `stream: true`), Anthropic messages
// (`POST /v1/messages`, JSON or SSE events) and Ollama's native chat (`POST /api/chat`, JSON or
// NDJSON when `stream` is not false) — plus each one's model listing. Every request is recorded
// (headers and body) so a test can assert what Lily sent; a script of failures (429 with
// Retry-After, 5xx, a redirect elsewhere) is served before the answers. Shared by the llm and
// cassette tests: no test double of Lily's code, only the other end of the wire.

/** The wire protocol a test server speaks. */
export type Protocol = "openai" | "anthropic" | "ollama";

/** A request a test server received. */
export interface LlmHit {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw request body. */
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: Record<string, unknown> | undefined;
}

/** One scripted failure, served (in order) before any answer. */
export interface Failure {
  status: number;
  /** The `Retry-After` header value, if any. */
  retryAfter?: string;
  /** A `Location` header (for a 3xx). */
  location?: string;
  /** The body (default: a JSON error in the protocol's shape). */
  body?: string;
}

/** What the server answers; every field may be changed while the server runs. */
export interface ServerScript {
  /** Failures served first, one per request, removed as served. */
  failures: Failure[];
  /**
   * The answer's text for a request (default: `echo: ` + the last user message). Called per
   * request with the parsed body and the number of answers given so far.
   */
  reply: (body: Record<string, unknown>, n: number) => string;
  /** The model the answer reports for the requested one (default: `<model>-2026-01-01`). */
  reportModel: (requested: string) => string;
  /** Token usage reported (prompt, completion). */
  usage: { input: number; output: number };
  /** The models the listing endpoint reports. */
  models: string[];
  /**
   * Awaited before each answer (not before a scripted failure): a test holds answers back to
   * see how many requests Lily keeps in flight at once.
   */
  hold?: () => Promise<void>;
}

/** A running test server. */
export interface LlmServer {
  protocol: Protocol;
  port: number;
  /** The base URL a step gives as `base_url` (`http://127.0.0.1:PORT/v1` for openai). */
  baseUrl: string;
  /** Every request received, in order. */
  hits: LlmHit[];
  /** The answers given (requests that were not a scripted failure). */
  answered: () => number;
  /** The most chat requests that were in flight at once. */
  maxInFlight: () => number;
  script: ServerScript;
  close(): Promise<void>;
}

/** The last user message's text in a request body (any of the three protocols). */
export function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: string; content?: unknown };
    if (m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) {
      return m.content.map((c) => (c as { text?: string }).text ?? "").join("");
    }
  }
  return "";
}

/**
 * Starts a server speaking `protocol` on 127.0.0.1 (port 0, or `options.port`: examples/llm's
 * record.ts records its cassettes at a fixed base URL). `script` overrides the defaults.
 */
export function startLlmServer(
  protocol: Protocol,
  script: Partial<ServerScript> = {},
  options: { port?: number } = {},
): LlmServer {
  const hits: LlmHit[] = [];
  let answers = 0;
  let inFlight = 0;
  let most = 0;
  const full: ServerScript = {
    failures: [],
    reply: (body) => `echo: ${lastUserText(body)}`,
    reportModel: (requested) =>
      /\d{4}-\d{2}-\d{2}$/.test(requested) ? requested : `${requested}-2026-01-01`,
    usage: { input: 11, output: 7 },
    models: ["test-model"],
    ...script,
  };
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, signal: controller.signal, onListen() {} },
    async (request) => {
      const url = new URL(request.url);
      const text = await request.text();
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      hits.push({
        method: request.method,
        path: url.pathname,
        headers: Object.fromEntries(request.headers),
        text,
        json,
      });
      const failure = full.failures.shift();
      if (failure) return failed(protocol, failure);
      const route = routeOf(protocol, request.method, url.pathname);
      if (route === "models") return listing(protocol, full.models);
      if (route === undefined || json === undefined) {
        return Response.json({ error: { message: `no route ${request.method} ${url.pathname}` } }, {
          status: 404,
        });
      }
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await full.hold?.();
      } finally {
        inFlight--;
      }
      const n = answers++;
      const content = full.reply(json, n);
      const model = full.reportModel(String(json.model ?? ""));
      const streamed = protocol === "ollama" ? json.stream !== false : json.stream === true;
      return streamed
        ? streamedAnswer(protocol, content, model, full.usage)
        : plainAnswer(protocol, content, model, full.usage);
    },
  );
  const port = server.addr.port;
  return {
    protocol,
    port,
    baseUrl: protocol === "ollama" ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`,
    hits,
    answered: () => answers,
    maxInFlight: () => most,
    script: full,
    close: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

function routeOf(protocol: Protocol, method: string, path: string): "chat" | "models" | undefined {
  if (method === "GET") {
    if (protocol === "ollama" ? path === "/api/tags" : path === "/v1/models") return "models";
    return undefined;
  }
  if (method !== "POST") return undefined;
  const chat = protocol === "openai"
    ? "/v1/chat/completions"
    : protocol === "anthropic"
    ? "/v1/messages"
    : "/api/chat";
  return path === chat ? "chat" : undefined;
}

function failed(protocol: Protocol, failure: Failure): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (failure.retryAfter !== undefined) headers["retry-after"] = failure.retryAfter;
  if (failure.location !== undefined) headers.location = failure.location;
  const body = failure.body ?? JSON.stringify(
    protocol === "anthropic"
      ? { type: "error", error: { type: "api_error", message: `status ${failure.status}` } }
      : { error: { message: `status ${failure.status}`, type: "server_error" } },
  );
  return new Response(body, { status: failure.status, headers });
}

function listing(protocol: Protocol, models: string[]): Response {
  if (protocol === "ollama") {
    return Response.json({ models: models.map((name) => ({ name, model: name })) });
  }
  return Response.json({
    object: "list",
    data: models.map((id) => ({ id, object: "model", created: 1767225600, owned_by: "test" })),
  });
}

function plainAnswer(
  protocol: Protocol,
  content: string,
  model: string,
  usage: ServerScript["usage"],
): Response {
  if (protocol === "openai") {
    return Response.json({
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1767225600,
      model,
      choices: [{
        index: 0,
        message: { role: "assistant", content },
        finish_reason: "stop",
      }],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    });
  }
  if (protocol === "anthropic") {
    return Response.json({
      id: "msg_test",
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text: content }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    });
  }
  return Response.json({
    model,
    created_at: "2026-01-01T00:00:00Z",
    message: { role: "assistant", content },
    done: true,
    done_reason: "stop",
    prompt_eval_count: usage.input,
    eval_count: usage.output,
  });
}

/** Splits a text in a few pieces (a stream of deltas). */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 5) out.push(text.slice(i, i + 5));
  return out.length ? out : [""];
}

function streamedAnswer(
  protocol: Protocol,
  content: string,
  model: string,
  usage: ServerScript["usage"],
): Response {
  const lines: string[] = [];
  if (protocol === "openai") {
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${
        JSON.stringify({
          id: "chatcmpl-test",
          object: "chat.completion.chunk",
          created: 1767225600,
          model,
          choices,
          ...extra,
        })
      }\n\n`;
    lines.push(chunk([{ index: 0, delta: { role: "assistant", content: "" } }]));
    for (const p of pieces(content)) lines.push(chunk([{ index: 0, delta: { content: p } }]));
    lines.push(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
    lines.push(chunk([], {
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    }));
    lines.push("data: [DONE]\n\n");
  } else if (protocol === "anthropic") {
    const event = (name: string, data: Record<string, unknown>) =>
      `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
    lines.push(event("message_start", {
      message: {
        id: "msg_test",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        usage: { input_tokens: usage.input, output_tokens: 1 },
      },
    }));
    lines.push(event("content_block_start", {
      index: 0,
      content_block: { type: "text", text: "" },
    }));
    lines.push(": keep-alive comment\n\n");
    lines.push(event("ping", {}));
    for (const p of pieces(content)) {
      lines.push(
        event("content_block_delta", { index: 0, delta: { type: "text_delta", text: p } }),
      );
    }
    lines.push(event("content_block_stop", { index: 0 }));
    lines.push(event("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: usage.output },
    }));
    lines.push(event("message_stop", {}));
  } else {
    for (const p of pieces(content)) {
      lines.push(
        `${
          JSON.stringify({
            model,
            created_at: "2026-01-01T00:00:00Z",
            message: { role: "assistant", content: p },
            done: false,
          })
        }\n`,
      );
    }
    lines.push(
      `${
        JSON.stringify({
          model,
          created_at: "2026-01-01T00:00:00Z",
          message: { role: "assistant", content: "" },
          done: true,
          done_reason: "stop",
          prompt_eval_count: usage.input,
          eval_count: usage.output,
        })
      }\n`,
    );
  }
  // Sent in separate writes, so the client meets events split across reads.
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(stream) {
      for (const line of lines) {
        const half = Math.ceil(line.length / 2);
        stream.enqueue(encoder.encode(line.slice(0, half)));
        stream.enqueue(encoder.encode(line.slice(half)));
      }
      stream.close();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": protocol === "ollama" ? "application/x-ndjson" : "text/event-stream",
      "cache-control": "no-cache",
    },
  });
}
