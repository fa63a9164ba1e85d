/**
 * Cassettes for llm steps, as vcr does: a `typeof fetch` wrapper that records HTTP
 * interactions to a file under `cassettes/` and replays them, with vcr's record modes. It never
 * writes a credential: auth headers are dropped and every form of each secret is masked.
 * It knows nothing of providers or steps (the llm kind runner wraps its fetch with it).
 * @module
 */
import { createHash } from "node:crypto";
import { LilyError } from "../errors.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { createMasker } from "../sandbox/mask.ts";
import { cassetteText, readCassette, writeCassetteFile } from "./cassette_file.ts";
import { secretPattern } from "./cassette_scrub.ts";
import {
  bodyText,
  type Interaction,
  matchKey,
  type RecordedRequest,
  recordRequest,
  recordResponse,
  replayResponse,
  streamSeparator,
} from "./cassette_http.ts";
import type { CassetteMode } from "./cassette_mode.ts";

/** A record mode, with vcr's documented semantics (docs/cassettes.md). */
export type { CassetteMode } from "./cassette_mode.ts";
export { CASSETTE_MODES, isCassetteMode } from "./cassette_mode.ts";

/** Options for {@linkcode openCassette}. */
export interface CassetteOptions {
  mode: CassetteMode;
  /** The cassette file (absolute). */
  path: string;
  /** Values masked from everything written (every form: raw, base64, URL-encoded, JSON). */
  secrets: readonly string[];
}

/** An open cassette: a fetch that replays or records, and `save` to write what was recorded. */
export interface Cassette {
  fetch: typeof fetch;
  /** Writes the cassette atomically when this session recorded something; else does nothing. */
  save(): Promise<void>;
}

/**
 * Opens the cassette at `options.path` and returns a fetch that replays from it or records
 * into it, as `options.mode` says (vcr's record modes; docs/cassettes.md):
 *
 * - `once`: replay; record only when there is no cassette file yet (then a new request fails);
 * - `new_episodes`: replay what is recorded, record what is not;
 * - `none`: replay only; a request not in the cassette fails (LILY-E0741, naming it);
 * - `all`: always call the server; the cassette becomes this run's interactions.
 *
 * A request matches a record on its method, URL and body (JSON compared canonically), never
 * on a header; identical requests replay their records in order, each record once. A
 * cassette that is not valid is a positioned error (LILY-E0742, E0743). Answers 429 and 5xx
 * reach the caller but are not recorded (a replay gets the answer the retry got, at once).
 *
 * One call is one session: a step that opens its cassette again for each call or attempt
 * should open it through a {@linkcode cassetteShelf}, which continues the session.
 *
 * @example
 * ```ts ignore
 * import { cassettePath, openCassette } from "./cassette.ts";
 * const cassette = await openCassette(fetch, {
 *   mode: "once",
 *   path: cassettePath("/project", "summarize", "classify"),
 *   secrets: [Deno.env.get("OPENAI_API_KEY") ?? ""],
 * });
 * const response = await cassette.fetch("https://api.openai.com/v1/chat/completions", {
 *   method: "POST",
 *   body: JSON.stringify({ model: "gpt-4o-mini", messages: [] }),
 * });
 * await cassette.save();
 * ```
 */
export async function openCassette(
  inner: typeof fetch,
  options: CassetteOptions,
): Promise<Cassette> {
  const session = await openSession(options);
  return { fetch: session.fetchVia(inner), save: () => session.save() };
}

/** The cassettes of one run (see {@linkcode cassetteShelf}). */
export interface CassetteShelf {
  /**
   * The cassette at `options.path`, as {@linkcode openCassette} opens it the first time; later
   * opens of the same file continue that session (its mode, what it replayed and recorded),
   * with the given fetch and any new secrets.
   */
  open(inner: typeof fetch, options: CassetteOptions): Promise<Cassette>;
}

/**
 * A shelf for one run: every open of a cassette file continues one session. A step whose
 * calls (a structured-output retry) or attempts (`retries:`) each open the step's cassette
 * then behaves as one vcr cassette for the whole run: `once` keeps recording the calls of a
 * cassette this run created, identical requests replay their records in turn, and each save
 * writes everything the run recorded. Create one per run (a kind runner's factory).
 *
 * @example
 * ```ts ignore
 * import { cassettePath, cassetteShelf } from "./cassette.ts";
 * const shelf = cassetteShelf();
 * const path = cassettePath("/project", "summarize", "classify");
 * const first = await shelf.open(fetch, { mode: "once", path, secrets: [] });
 * const again = await shelf.open(fetch, { mode: "once", path, secrets: [] }); // same session
 * ```
 */
export function cassetteShelf(): CassetteShelf {
  const sessions = new Map<string, Promise<Session>>();
  return {
    async open(inner, options) {
      let pending = sessions.get(options.path);
      if (!pending) {
        pending = openSession(options);
        sessions.set(options.path, pending);
        // A file that could not be opened is tried again by the next open.
        pending.catch(() => sessions.delete(options.path));
      }
      const session = await pending;
      session.addSecrets(options.secrets);
      return { fetch: session.fetchVia(inner), save: () => session.save() };
    },
  };
}

/** One cassette file in use: what it holds, what was replayed, what was recorded. */
interface Session {
  fetchVia(inner: typeof fetch): typeof fetch;
  save(): Promise<void>;
  addSecrets(secrets: readonly string[]): void;
}

/** Answers that say "try again" (rate limit, server trouble): passed on, never recorded. */
function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

async function openSession(options: CassetteOptions): Promise<Session> {
  const secrets = new Set(options.secrets.filter((s) => s.length > 0));
  let masker = createMasker(secrets);
  let pattern = secretPattern(secrets);
  const previous = options.mode === "all" ? undefined : await readCassette(options.path);
  const exists = previous !== undefined ||
    (options.mode === "all" && await isNonEmptyFile(options.path));
  // Unused records by match key, each list in recorded order.
  const unused = new Map<string, Interaction[]>();
  for (const interaction of previous ?? []) {
    const key = matchKey(interaction.request);
    unused.set(key, [...(unused.get(key) ?? []), interaction]);
  }
  const records = options.mode !== "none" &&
    (options.mode !== "once" || !exists);
  // This session's recordings, in the order the requests were sent (a slot is filled when
  // its response has been read in full; an unfilled one is not written).
  const slots: (Interaction | undefined)[] = [];
  let recorded = 0;
  let writing = Promise.resolve();

  async function send(
    inner: typeof fetch,
    input: RequestInfo | URL,
    init?: RequestInit,
  ): Promise<Response> {
    const request = new Request(input, init);
    // As fetch does: a request aborted before it is sent is not sent (nor replayed).
    request.signal.throwIfAborted();
    const bytes = new Uint8Array(await request.clone().arrayBuffer());
    const recordedRequest = recordRequest(
      request.method,
      request.url,
      request.headers,
      bytes,
      masker,
    );
    const key = matchKey(recordedRequest);
    if (options.mode !== "all") {
      const queue = unused.get(key);
      const hit = queue?.shift();
      if (hit) return replayResponse(hit.response, request.url);
    }
    if (!records) throw notRecorded(recordedRequest, options, exists, previous ?? []);
    const slot = slots.length;
    slots.push(undefined);
    const response = await inner(request.url, {
      method: request.method,
      headers: request.headers,
      body: bytes.length ? bytes : undefined,
      signal: request.signal,
      redirect: request.redirect,
    });
    const fill = (body: Uint8Array) => {
      if (isTransient(response.status)) return;
      slots[slot] = {
        request: recordedRequest,
        response: recordResponse(response.status, response.headers, body, masker, pattern),
      };
      recorded++;
    };
    // The client gets the body decoded (as fetch gave it): its encoding and length no longer apply.
    const headers = new Headers(response.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    const replyInit = { status: response.status, statusText: response.statusText, headers };
    if (response.body === null) {
      fill(new Uint8Array());
      return withUrl(new Response(null, replyInit), response);
    }
    if (streamSeparator(response.headers) === undefined) {
      // Read in full now: a client that never reads a body is still recorded.
      const body = new Uint8Array(await response.arrayBuffer());
      fill(body);
      return withUrl(new Response(body, replyInit), response);
    }
    // A stream goes to the client as it arrives; it is recorded once it has ended.
    const parts: Uint8Array[] = [];
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        parts.push(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        fill(concat(parts));
      },
    });
    return withUrl(new Response(response.body.pipeThrough(tap), replyInit), response);
  }

  async function write(): Promise<void> {
    if (recorded === 0) return;
    const fresh = slots.filter((s): s is Interaction => s !== undefined);
    const kept = options.mode === "new_episodes" ? previous ?? [] : [];
    await writeCassetteFile(options.path, cassetteText([...kept, ...fresh], masker));
  }

  return {
    fetchVia(inner) {
      return ((input: RequestInfo | URL, init?: RequestInit) =>
        send(inner, input, init)) as typeof fetch;
    },
    save() {
      // Saves of one session are written one after the other, each with all recorded so far.
      const next = writing.then(write);
      writing = next.catch(() => {});
      return next;
    },
    addSecrets(more) {
      const before = secrets.size;
      for (const secret of more) if (secret.length > 0) secrets.add(secret);
      if (secrets.size !== before) {
        masker = createMasker(secrets);
        pattern = secretPattern(secrets);
      }
    },
  };
}

async function isNonEmptyFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).size > 0;
  } catch {
    return false;
  }
}

function withUrl(response: Response, from: Response): Response {
  Object.defineProperty(response, "url", { value: from.url });
  return response;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** LILY-E0741: a request the cassette has no (unused) record for, in a mode that replays only. */
function notRecorded(
  request: RecordedRequest,
  options: CassetteOptions,
  exists: boolean,
  previous: readonly Interaction[],
): LilyError {
  const body = bodyText(request);
  const digest = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const cut = body.length > 80 ? `${body.slice(0, 80)}…` : body;
  const preview = cut.replaceAll("\r", "\\r").replaceAll("\n", "\\n");
  const shown = shownPath(options.path);
  const why = !exists
    ? `cassette \`${shown}\` does not exist`
    : `cassette \`${shown}\` has no unused record of this request`;
  const notes: { message: string }[] = [{
    message: `body sha256:${digest}${body ? `: ${preview}` : " (empty)"}`,
  }];
  const sameUrl = previous.filter((i) =>
    i.request.method === request.method && i.request.url === request.url
  );
  if (exists) {
    notes.push({
      message: sameUrl.length
        ? `the cassette has ${sameUrl.length} record(s) of ${request.method} ${request.url}; ` +
          "none has this body (or each was replayed already)"
        : `the cassette has no record of ${request.method} ${request.url}`,
    });
  }
  const nearest = sameUrl.find((i) => matchKey(i.request) !== matchKey(request));
  if (nearest && nearest.request.json !== undefined && request.json !== undefined) {
    const difference = firstDifference(nearest.request.json, request.json, "");
    if (difference) {
      notes.push({
        message: `it differs from the first recorded one at \`${difference.path || "(body)"}\`: ` +
          `recorded ${jsonPreview(difference.recorded)}, sent ${jsonPreview(difference.sent)}`,
      });
    }
  }
  return new LilyError(
    "LILY-E0741",
    `${why} (--cassettes ${options.mode}): ${request.method} ${request.url}`,
    {
      notes,
      hint: "record it with `lily run --cassettes new_episodes` (or `--cassettes all` to " +
        "re-record the step), then commit the cassette; see docs/cassettes.md",
    },
  );
}

/** A JSON value in a message: canonical, cut at 60 characters. */
function jsonPreview(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = canonicalJson(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The first place (in canonical key order) where two JSON values differ, as a path. */
function firstDifference(
  recorded: unknown,
  sent: unknown,
  path: string,
): { path: string; recorded: unknown; sent: unknown } | undefined {
  if (canonicalJson(recorded) === canonicalJson(sent)) return undefined;
  if (Array.isArray(recorded) && Array.isArray(sent)) {
    for (let i = 0; i < Math.max(recorded.length, sent.length); i++) {
      const inner = firstDifference(recorded[i], sent[i], `${path}[${i}]`);
      if (inner) return inner;
    }
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(recorded) && isObject(sent)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(sent)])].sort();
    for (const key of keys) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
      const inner = firstDifference(recorded[key], sent[key], path ? `${path}.${name}` : name);
      if (inner) return inner;
    }
  }
  return { path, recorded, sent };
}

/** The path as a reader finds it: relative to the working directory when inside it. */
function shownPath(path: string): string {
  const cwd = Deno.cwd();
  return path.startsWith(cwd + "/") ? path.slice(cwd.length + 1) : path;
}

/**
 * The cassette file of a step: `<project>/cassettes/<workflow>/<step>.yaml`, each name
 * percent-encoded outside `[A-Za-z0-9_@-]` and `.` after the first character, so no name
 * leaves the folder or collides with another.
 */
export function cassettePath(projectRoot: string, workflow: string, stepId: string): string {
  return `${projectRoot.replace(/\/+$/, "")}/cassettes/${segment(workflow)}/${
    segment(stepId)
  }.yaml`;
}

function segment(name: string): string {
  let out = "";
  for (const ch of name) {
    const safe = /^[A-Za-z0-9_@-]$/.test(ch) || (ch === "." && out.length > 0);
    out += safe
      ? ch
      : [...new TextEncoder().encode(ch)].map((b) =>
        `%${b.toString(16).toUpperCase().padStart(2, "0")}`
      ).join("");
  }
  return out || "%00";
}
