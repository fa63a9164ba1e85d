/**
 * The one door of an llm step's requests: a `fetch` that reaches only the provider's host (the
 * base URL's host and port) and follows redirects itself, one hop at a time, each checked —
 * a host off the list is never contacted. The cassette (cassette.ts) wraps this door, so a
 * recorded call is checked as a live one.
 * @module
 */
import { hostDenial } from "../steps/http.ts";

/** A request refused: its host is not the provider's. */
export class HostDenied extends Error {
  /** `host:port` refused. */
  readonly target: string;
  /** Whether a redirect led there. */
  readonly redirected: boolean;
  constructor(target: string, redirected: boolean, url: URL) {
    super(
      `connecting to \`${target}\`${
        redirected ? ` (redirected to ${url.origin}${url.pathname})` : ""
      } is not allowed: an llm step reaches only its provider's host`,
    );
    this.target = target;
    this.redirected = redirected;
  }
}

/** Most redirects followed. */
const MAX_HOPS = 5;

/** The `host:port` entry a base URL allows. */
export function providerHost(baseUrl: string): string {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname.replace(/^\[|\]$/g, "")}:${port}`;
}

/**
 * A fetch that sends to `allowed` (`host:port`) only, following redirects within it.
 * Anything else throws {@linkcode HostDenied} before a connection is made.
 *
 * @example
 * ```ts
 * import { guardedFetch, HostDenied } from "./guard.ts";
 * const send = guardedFetch(fetch, "127.0.0.1:9");
 * const refused = await send("http://example.com/").catch((e) => e);
 * if (!(refused instanceof HostDenied)) throw new Error("not refused");
 * ```
 */
export function guardedFetch(inner: typeof fetch, allowed: string): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    let method = init?.method ?? "GET";
    let body = init?.body;
    for (let hop = 0;; hop++) {
      const denied = hostDenial([allowed], url);
      if (denied) throw new HostDenied(denied, hop > 0, url);
      const response = await inner(url, { ...init, method, body, redirect: "manual" });
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null) {
        return response;
      }
      await response.body?.cancel();
      if (hop >= MAX_HOPS) throw new Error(`more than ${MAX_HOPS} redirects`);
      url = new URL(location, url);
      if (response.status === 303 || (response.status !== 307 && response.status !== 308)) {
        method = "GET";
        body = undefined;
      }
    }
  };
}
