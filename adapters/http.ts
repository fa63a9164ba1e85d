/**
 * The `http` adapter: a step that is one HTTP request, sent by the engine's process (no program,
 * no sandbox host). The request is read from the lock step (src/steps/http.ts); inputs reach it
 * only through the environment the engine built (`LILY_INPUT_<NAME>`, as for every step). The
 * step's domain list is checked before every connection, the first and each redirect (followed
 * here, hop by hop, never by the client): a host it does not list is never contacted. The
 * response fills the declared outputs through the same `$LILY_OUTPUT` file (and an output file
 * for a `file` body) that other steps write, so collection, masking and the cache are unchanged.
 * Nothing here writes a header value to the log.
 * @module
 */
import { join, relative } from "node:path";
import { checkParents, openRegular, unsafeRelative } from "../src/cache/safe_path.ts";
import { hostDenial, isExpected, readHttpStep, urlProblem } from "../src/steps/http.ts";
import type { LockStep } from "../src/schema/lock.ts";
import { leavesRoot } from "../src/util/paths.ts";
import { VERSION } from "../src/version.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** The largest response body kept in memory for a `json` or `str` output (bytes). */
export const MAX_VALUE_BODY = 8 * 1024 * 1024;
/** The largest `body_from` file sent (bytes): it is held in memory to be sent again on a 307. */
export const MAX_REQUEST_BODY = 64 * 1024 * 1024;
/** How much of an unexpected response's body its error quotes (characters). */
const EXCERPT = 300;

/** Options for {@linkcode httpAdapter}. */
export interface HttpAdapterOptions {
  /** The project root (absolute): a `file` body is written below it. */
  projectRoot: string;
}

/** Creates the http adapter. */
export function httpAdapter(options: HttpAdapterOptions): Adapter {
  return {
    name: "http",
    async run(request) {
      const t0 = performance.now();
      try {
        return await sendStep(request, options);
      } catch (error) {
        // A timeout or cancel while the body streams ends the attempt; the engine says which.
        const failed: StepResult = { exitCode: null, signal: null, durationMs: 0 };
        failed.durationMs = performance.now() - t0;
        if (!request.signal.aborted) {
          failed.error = {
            code: "LILY-E0930",
            message: `http step \`${request.step.id}\`: ${(error as Error).message}`,
          };
        }
        return failed;
      }
    },
  };
}

type Failure = { code: string; message: string; hint?: string };

/** Sends one attempt's request and writes its outputs. */
async function sendStep(request: StepRequest, options: HttpAdapterOptions): Promise<StepResult> {
  const t0 = performance.now();
  const step = request.step;
  const done = (fields: Partial<StepResult>): StepResult => ({
    exitCode: fields.error || fields.denied ? null : 0,
    signal: null,
    durationMs: performance.now() - t0,
    enforcement: enforcementOf(request.permissions.net),
    ...fields,
  });
  const fail = (error: Failure, extra: Partial<StepResult> = {}) => done({ error, ...extra });
  const { plan, problems } = readHttpStep(step);
  if (problems.length) {
    const p = problems[0];
    return fail({ code: p.code, message: p.message, hint: p.hint }, { retryable: false });
  }
  const log = (line: string) => request.write(new TextEncoder().encode(`${line}\n`), "stderr");
  const env = request.spec.env;
  const inputText = (name: string) => env[`LILY_INPUT_${name.toUpperCase()}`];

  // The first URL, with its query.
  const first = plan.url ?? inputText(plan.urlFrom!) ?? "";
  const problem = urlProblem(first);
  if (problem) {
    return fail({
      code: "LILY-E0923",
      message: `http step \`${step.id}\`: the URL from input \`${plan.urlFrom}\` ${problem}`,
      hint: "the input must hold an absolute http:// or https:// URL",
    }, { retryable: false });
  }
  let url = new URL(first);
  for (const [name, value] of plan.query) url.searchParams.append(name, value);
  for (const [name, input] of plan.queryFrom) {
    const value = inputText(input);
    if (value !== undefined) url.searchParams.append(name, value);
  }
  // Headers: the literal ones, then those from inputs (dropped when a redirect leaves the origin).
  const headers = new Headers({ "user-agent": `lily/${VERSION}` });
  for (const [name, value] of plan.headers) headers.set(name, value);
  const fromInputs: string[] = [];
  for (const h of plan.headersFrom) {
    const value = inputText(h.input);
    if (value === undefined) continue;
    if (/[\r\n\0]/.test(value)) {
      return fail({
        code: "LILY-E0927",
        message:
          `http step \`${step.id}\`: header \`${h.name}\` from input \`${h.input}\` spans lines`,
        hint: "a header value is one line",
      }, { retryable: false });
    }
    headers.set(h.name, h.prefix + value);
    fromInputs.push(h.name.toLowerCase());
  }
  // Body.
  let body: Uint8Array | undefined;
  if (plan.body) {
    body = new TextEncoder().encode(JSON.stringify(plan.body.json));
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  } else if (plan.bodyFrom) {
    const io = step.inputs[plan.bodyFrom];
    const value = inputText(plan.bodyFrom);
    if (value !== undefined) {
      if (io.type === "file") {
        const read = await readInputFile(value, request);
        if ("error" in read) {
          return fail({
            code: "LILY-E0926",
            message: `http step \`${step.id}\`: input \`${plan.bodyFrom}\` ${read.error}`,
          }, { retryable: false });
        }
        body = read.bytes;
        if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
      } else {
        body = new TextEncoder().encode(value);
        const type = io.type === "str" || io.type === "secret"
          ? "text/plain; charset=utf-8"
          : "application/json";
        if (!headers.has("content-type")) headers.set("content-type", type);
      }
    }
  }

  // Send, following redirects one hop at a time.
  let method: string = plan.method;
  let response: Response | undefined;
  let hops = 0;
  for (;;) {
    const denied = hostDenial(request.permissions.net, url);
    if (denied) {
      return done({
        denied: {
          kind: "net",
          target: denied,
          message: `connecting to \`${denied}\`${
            hops ? ` (redirected to ${shown(url)})` : ""
          } is not allowed by the step's policy`,
        },
      });
    }
    await log(`> ${method} ${shown(url)}`);
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body as BodyInit | undefined,
        redirect: "manual",
        signal: request.signal,
      });
    } catch (error) {
      if (request.signal.aborted) return done({ exitCode: null });
      return fail({
        code: "LILY-E0930",
        message: `http step \`${step.id}\`: ${method} ${shown(url)} failed: ${reason(error)}`,
        hint: "is the server up and the host right? (the step is retried if it has `retries:`)",
      });
    }
    const location = response.headers.get("location");
    if (!isRedirect(response.status) || location === null || plan.redirects === 0) break;
    await response.body?.cancel();
    if (hops >= plan.redirects) {
      return fail({
        code: "LILY-E0932",
        message: `http step \`${step.id}\`: more than ${plan.redirects} redirects (the last to ${
          shown(url)
        })`,
        hint: "raise `with.redirects` (up to 20), or request the final URL directly",
      }, { retryable: false });
    }
    await log(`< ${response.status} redirect`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      next = new URL("invalid:");
    }
    const bad = urlProblem(next.href);
    if (bad) {
      return fail({
        code: "LILY-E0932",
        message: `http step \`${step.id}\`: a redirect from ${
          shown(url)
        } leads to a URL that ${bad}`,
      }, { retryable: false });
    }
    // A 303 (and a 301/302 after a POST, as clients do) becomes a GET without a body.
    if (
      response.status === 303 && method !== "HEAD" ||
      (response.status === 301 || response.status === 302) && method === "POST"
    ) {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
    }
    // Credentials chosen for one origin never go to another.
    if (next.origin !== url.origin) {
      for (const name of [...fromInputs, "authorization", "cookie", "proxy-authorization"]) {
        headers.delete(name);
      }
    }
    url = next;
    hops++;
  }
  const status = response.status;
  await log(`< ${status} ${response.statusText}`.trimEnd());
  if (!isExpected(plan, status)) {
    const excerpt = await bodyExcerpt(response);
    const retryable = status === 429 || status >= 500;
    const retryAfter = retryable
      ? retryAfterMs(response.headers.get("retry-after"), step.retries.max_backoff_ms)
      : undefined;
    return fail({
      code: "LILY-E0931",
      message: `http step \`${step.id}\`: ${plan.method} ${shown(url)} answered ${status}${
        response.statusText ? ` ${response.statusText}` : ""
      }, not an expected status${excerpt ? `: ${excerpt}` : ""}`,
      hint: retryable
        ? "the server may recover: give the step `retries: {max: 3}` (a `Retry-After` is honoured)"
        : "list the status in `with.expect` if it is a success for this step",
    }, { retryable, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
  }
  const written = await writeOutputs(step, response, request, options);
  if ("error" in written) return fail(written.error, { retryable: written.retryable });
  return done({ metrics: { http_status: status, http_redirects: hops, ...written.metrics } });
}

/** What an http attempt enforces: no program runs, so the OS record's fields do not apply. */
function enforcementOf(net: boolean | string[]): Record<string, unknown> {
  const network = net === true
    ? "any host"
    : net === false || net.length === 0
    ? "off"
    : `only ${net.join(", ")}`;
  return {
    sandbox: "none (no program runs: Lily sends the request)",
    adapter: "http",
    network,
    enforced: true,
    mechanism: "Lily's http adapter: the host list is checked before every connection, " +
      "redirects followed one hop at a time and each checked",
    filesystem: "only the declared `body` file is written (inside a write root, no link followed)",
    holds: {
      network: "hosts checked in the engine before each connection (every OS)",
      secrets: "header values are never logged; secrets are masked everywhere",
    },
    not_held: [],
  };
}

/** A URL as logs and errors show it: no query values (they may come from inputs). */
function shown(url: URL): string {
  const names = [...new Set(url.searchParams.keys())];
  return `${url.origin}${url.pathname}${
    names.length ? `?${names.map((n) => `${n}=…`).join("&")}` : ""
  }`;
}

/** An error's message with its causes (`fetch failed` alone names no reason). */
function reason(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ") || String(error);
}

function isRedirect(status: number): boolean {
  return [301, 302, 303, 307, 308].includes(status);
}

/**
 * The wait a `Retry-After` header asks for (delay-seconds or an HTTP date), in ms, capped at
 * `cap` (the step's `retries.max_backoff`); undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./http.ts";
 * if (retryAfterMs("2", 30_000) !== 2000 || retryAfterMs("3600", 30_000) !== 30_000) {
 *   throw new Error("retry-after");
 * }
 * ```
 */
export function retryAfterMs(
  value: string | null,
  cap: number,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    // An HTTP date starts with a day name (`Wed, 21 Oct 2026 07:28:00 GMT`); Date.parse alone
    // would read `-1` as a year.
    const at = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, cap);
}

async function bodyExcerpt(response: Response): Promise<string> {
  try {
    const reader = response.body?.getReader();
    if (!reader) return "";
    const { value } = await reader.read();
    await reader.cancel();
    const text = new TextDecoder().decode(value ?? new Uint8Array()).replace(/\s+/g, " ").trim();
    return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
  } catch {
    return "";
  }
}

/** Reads a `file` input to send: a regular file inside a read root, reached without links. */
async function readInputFile(
  path: string,
  request: StepRequest,
): Promise<{ bytes: Uint8Array } | { error: string }> {
  const inside = (root: string) => {
    const rel = relative(root, path).replaceAll("\\", "/");
    return rel !== "" && !leavesRoot(rel) && !rel.startsWith("/") ? rel : undefined;
  };
  if (request.permissions.deny.some((d) => path === d || inside(d) !== undefined)) {
    return { error: `\`${path}\` is inside Lily's own state` };
  }
  const root = request.permissions.read.find((r) => inside(r) !== undefined);
  if (!root) return { error: `\`${path}\` is outside the step's read roots` };
  const opened = await openRegular(root, inside(root)!);
  if ("error" in opened) return { error: `\`${path}\` ${opened.error}` };
  using file = opened.file;
  if (opened.info.size > MAX_REQUEST_BODY) {
    return { error: `is ${opened.info.size} bytes, above the ${MAX_REQUEST_BODY}-byte limit` };
  }
  const bytes = new Uint8Array(opened.info.size);
  let at = 0;
  while (at < bytes.length) {
    const n = await file.read(bytes.subarray(at));
    if (n === null) break;
    at += n;
  }
  return { bytes: bytes.subarray(0, at) };
}

type Written =
  | { metrics: Record<string, number> }
  | { error: Failure; retryable: boolean };

/**
 * Writes the declared outputs as a step would: `status`, `headers` and a `json`/`str` body to
 * the `$LILY_OUTPUT` file (one JSON object), a `file` body to its declared path (a new file
 * renamed into place, never through a link).
 */
async function writeOutputs(
  step: LockStep,
  response: Response,
  request: StepRequest,
  options: HttpAdapterOptions,
): Promise<Written> {
  const out: Record<string, unknown> = {};
  const metrics: Record<string, number> = {};
  if (Object.hasOwn(step.outputs, "status")) out.status = response.status;
  if (Object.hasOwn(step.outputs, "headers")) {
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) {
      headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
    }
    out.headers = headers;
  }
  const bodyIo = Object.hasOwn(step.outputs, "body") ? step.outputs.body : undefined;
  const failed = (message: string, hint?: string, retryable = false): Written => ({
    error: { code: "LILY-E0933", message: `http step \`${step.id}\`: ${message}`, hint },
    retryable,
  });
  try {
    if (!bodyIo) await response.body?.cancel();
    else if (bodyIo.type === "file") {
      const saved = await saveBody(response, bodyIo.path!, request, options);
      if ("error" in saved) return failed(`output \`body\`: ${saved.error}`);
      metrics.http_body_bytes = saved.size;
    } else {
      const bytes = await readCapped(response, MAX_VALUE_BODY);
      if (!bytes) {
        return failed(
          `the response body is over ${MAX_VALUE_BODY} bytes, too large for a \`${bodyIo.type}\` output`,
          "declare it a file: `body: {type: file, path: out/response.json}`",
        );
      }
      metrics.http_body_bytes = bytes.length;
      const text = new TextDecoder().decode(bytes);
      if (bodyIo.type === "json") {
        try {
          JSON.parse(text);
        } catch {
          return failed(
            `output \`body\` is \`json\`, but the response (${
              response.headers.get("content-type") ?? "no content type"
            }) is not JSON`,
            "declare `body: {type: str}` to keep it as text",
          );
        }
      }
      out.body = text;
    }
  } catch (error) {
    if (request.signal.aborted) throw error;
    return failed(`reading the response failed: ${(error as Error).message}`, undefined, true);
  }
  if (Object.keys(out).length) {
    await Deno.writeTextFile(request.spec.env.LILY_OUTPUT, JSON.stringify(out));
  }
  return { metrics };
}

async function readCapped(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.length;
    if (total > limit) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** Streams the body to `rel` (project-relative) inside a write root, without following links. */
async function saveBody(
  response: Response,
  rel: string,
  request: StepRequest,
  options: HttpAdapterOptions,
): Promise<{ size: number } | { error: string }> {
  const root = options.projectRoot;
  const target = join(root, rel);
  if (unsafeRelative(rel)) return { error: `\`${rel}\` is not a path inside the project` };
  const inRoot = request.permissions.write.some((w) => {
    const r = relative(w, target).replaceAll("\\", "/");
    return r !== "" && !leavesRoot(r) && !r.startsWith("/");
  });
  if (!inRoot) {
    return { error: `\`${rel}\` is outside the step's write roots (\`write_roots\` in .lilyrc)` };
  }
  const parents = await checkParents(root, rel, true);
  if (parents) return { error: `${parents}: not written through it` };
  const temp = `${target}.lily-${crypto.randomUUID().slice(0, 8)}.tmp`;
  let size = 0;
  try {
    using file = await Deno.open(temp, { write: true, createNew: true });
    for await (const chunk of response.body ?? []) {
      size += chunk.length;
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
    }
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await Deno.rename(temp, target);
  return { size };
}
