/**
 * The HTTP side of cassettes: what of a request and a response is recorded (never a credential
 * header, never a secret in any form), the key a request is matched on, and the `Response`
 * replayed from a record. No file access here (cassette_file.ts reads and writes).
 * @module
 */
import { canonicalJson } from "../util/canonical_json.ts";
import { MASK, type Masker } from "../sandbox/mask.ts";
import { scrubEvents } from "./cassette_scrub.ts";

/** A recorded request: what identifies it, masked. */
export interface RecordedRequest {
  method: string;
  url: string;
  /** Informational request headers (never matched on; never a credential). */
  headers?: Record<string, string>;
  /** A JSON body, as data (matched canonically). */
  json?: unknown;
  /** A text body that is not JSON. */
  body?: string;
  /** A body that is not UTF-8 text. */
  body_base64?: string;
}

/** A recorded response, masked. */
export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  /** A text body. */
  body?: string;
  /** A body that is not UTF-8 text. */
  body_base64?: string;
  /**
   * A streamed body, one entry per event without the separator that ends it (the blank line of
   * `text/event-stream`, the newline of `application/x-ndjson`): the replay sends each event
   * and its separator as one chunk.
   */
  events?: string[];
  /** What followed the last complete event (a stream cut short), if anything. */
  tail?: string;
}

/** One request and the response it got. */
export interface Interaction {
  request: RecordedRequest;
  response: RecordedResponse;
}

/**
 * Headers that carry credentials or identify an account, on either side: dropped, never
 * recorded (a name containing one of these words is dropped too).
 */
const CREDENTIAL = /auth|cookie|token|secret|passw|session|api[-_]?key|signature|credential/i;
const ACCOUNT = new Set(["openai-organization", "openai-project", "x-goog-user-project"]);

/** Request headers worth keeping for a reader of the cassette (the rest is client noise). */
const REQUEST_KEPT = new Set([
  "accept",
  "anthropic-beta",
  "anthropic-version",
  "content-type",
  "openai-beta",
]);

/**
 * Response headers that change on every call or describe the transport, not the answer:
 * dropped so two recordings of the same answer are the same bytes (the body is stored
 * decoded, so its encoding and length go too).
 */
const RESPONSE_VOLATILE = new Set([
  "age",
  "alt-svc",
  "cf-cache-status",
  "cf-ray",
  "connection",
  "content-encoding",
  "content-length",
  "date",
  "etag",
  "keep-alive",
  "openai-processing-ms",
  "openai-version",
  "request-id",
  "server",
  "server-timing",
  "strict-transport-security",
  "transfer-encoding",
  "vary",
  "via",
  "x-envoy-upstream-service-time",
  "x-request-id",
]);
const RESPONSE_VOLATILE_PREFIX = /^(x-ratelimit-|anthropic-ratelimit-|x-stainless-)/;

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function isCredential(name: string): boolean {
  return CREDENTIAL.test(name) || ACCOUNT.has(name);
}

function keptHeaders(
  headers: Headers,
  keep: (name: string) => boolean,
  masker: Masker,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (!isCredential(name) && keep(name)) out[name] = masker.mask(value);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Masks every string of a JSON value (keys too). */
function maskJson(value: unknown, masker: Masker): unknown {
  if (typeof value === "string") return masker.mask(value);
  if (Array.isArray(value)) return value.map((v) => maskJson(v, masker));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[masker.mask(k)] = maskJson(v, masker);
    return out;
  }
  return value;
}

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8 (or hold a NUL). */
export function textOf(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return text.includes("\0") ? undefined : text;
  } catch {
    return undefined;
  }
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Base64 to bytes, skipping characters outside the alphabet: a secret masked inside a binary
 * body (`***`) garbles those bytes instead of making the whole record unreadable.
 */
export function bytesOfBase64(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, "");
  const usable = clean.slice(0, clean.length - (clean.length % 4 === 1 ? 1 : 0));
  const padded = usable + "=".repeat((4 - (usable.length % 4)) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * The recorded form of a request: method, URL, informational headers and the body (JSON as
 * data, other text as text, anything else as base64), every secret masked.
 */
export function recordRequest(
  method: string,
  url: string,
  headers: Headers,
  body: Uint8Array,
  masker: Masker,
): RecordedRequest {
  const out: RecordedRequest = {
    method: method.toUpperCase(),
    url: masker.mask(withoutCredentialParams(url)),
  };
  const kept = keptHeaders(headers, (name) => REQUEST_KEPT.has(name), masker);
  if (kept) out.headers = kept;
  if (body.length === 0) return out;
  const text = textOf(body);
  if (text === undefined) {
    out.body_base64 = masker.mask(base64Of(body));
    return out;
  }
  const json = parseJson(text);
  if (json.ok) out.json = maskJson(json.value, masker);
  else out.body = masker.mask(text);
  return out;
}

/**
 * The URL with the value of each query parameter that names a credential (`key`, `api_key`,
 * `access_token`…) replaced by `***`: a key passed in the URL is never recorded, and a replay
 * without the key (CI) still matches.
 */
function withoutCredentialParams(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed || !parsed.search) return url;
  let changed = false;
  const params = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(parsed.search)) {
    const hidden = /^(key|sig|code)$/i.test(name) || isCredential(name.toLowerCase());
    params.append(name, hidden ? MASK : value);
    changed ||= hidden;
  }
  if (!changed) return url;
  parsed.search = params.toString().replaceAll("%2A", "*");
  return parsed.href;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(trimmed)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) };
  } catch {
    return { ok: false };
  }
}

/**
 * What a request is matched on: method, URL and the body (a JSON body canonically: key
 * order and whitespace do not matter). Never a header.
 */
export function matchKey(request: RecordedRequest): string {
  const body = request.json !== undefined
    ? `json:${canonicalJson(request.json)}`
    : request.body !== undefined
    ? `text:${request.body}`
    : request.body_base64 !== undefined
    ? `base64:${request.body_base64}`
    : "none";
  return `${request.method} ${request.url}\n${body}`;
}

/** The request's body as one line of text, for messages. */
export function bodyText(request: RecordedRequest): string {
  return request.json !== undefined
    ? canonicalJson(request.json)
    : request.body ?? request.body_base64 ?? "";
}

/**
 * How a streamed response separates its events: `\n\n` for server-sent events
 * (`text/event-stream`), `\n` for JSON lines (`application/x-ndjson`, Ollama's stream);
 * undefined for a body that is not a stream of events.
 */
export function streamSeparator(headers: Headers): string | undefined {
  const type = (headers.get("content-type") ?? "").toLowerCase();
  if (/^\s*text\/event-stream\b/.test(type)) return "\n\n";
  if (/^\s*application\/(x-)?(ndjson|jsonl|jsonlines)\b/.test(type)) return "\n";
  return undefined;
}

/**
 * The recorded form of a response whose body has been read in full, masked: as text, then
 * each JSON string value, also across the events of a stream (`secrets`: the pattern of
 * cassette_scrub.ts).
 */
export function recordResponse(
  status: number,
  headers: Headers,
  body: Uint8Array,
  masker: Masker,
  secrets: RegExp | undefined,
): RecordedResponse {
  const out: RecordedResponse = { status };
  const kept = keptHeaders(
    headers,
    (name) => !RESPONSE_VOLATILE.has(name) && !RESPONSE_VOLATILE_PREFIX.test(name),
    masker,
  );
  if (kept) out.headers = kept;
  if (body.length === 0) return out;
  const text = textOf(body);
  if (text === undefined) {
    out.body_base64 = masker.mask(base64Of(body));
  } else if (streamSeparator(headers) !== undefined) {
    // Masked as one text first: a secret never straddles two entries unmasked.
    const separator = streamSeparator(headers)!;
    const parts = masker.mask(text).split(separator);
    const tail = parts.pop()!;
    out.events = scrubEvents(parts, separator === "\n\n", secrets);
    if (tail) out.tail = tail;
  } else {
    out.body = scrubEvents([masker.mask(text)], false, secrets)[0];
  }
  return out;
}

/** A `Response` that replays a record (an event stream chunk by chunk, as it was sent). */
export function replayResponse(recorded: RecordedResponse, url: string): Response {
  const headers = new Headers(recorded.headers ?? {});
  let body: BodyInit | null = null;
  if (NULL_BODY.has(recorded.status)) {
    body = null;
  } else if (recorded.events !== undefined) {
    const separator = streamSeparator(headers) ?? "\n\n";
    const chunks = recorded.events.map((e) => `${e}${separator}`);
    if (recorded.tail) chunks.push(recorded.tail);
    const encoder = new TextEncoder();
    let next = 0;
    body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next < chunks.length) controller.enqueue(encoder.encode(chunks[next++]));
        else controller.close();
      },
    });
  } else if (recorded.body_base64 !== undefined) {
    body = bytesOfBase64(recorded.body_base64);
  } else if (recorded.body !== undefined) {
    body = recorded.body;
  }
  const response = new Response(body, { status: recorded.status, headers });
  // A client may read `response.url` (a constructed Response has none).
  Object.defineProperty(response, "url", { value: url });
  return response;
}
