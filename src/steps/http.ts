/**
 * The `http` adapter's request, read from a step's `with:` block: what compose checks (every
 * problem, each positioned) and what the adapter (adapters/http.ts) sends. One reader serves
 * both, so a lock edited by hand is refused at run time with the same words compose would use.
 * Inputs reach the request only through the explicit `*_from` fields (never a template, which
 * renders at compose): `url_from`, `headers_from`, `query_from`, `body_from`. Nothing here
 * touches the network.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import { hostAllowed } from "../sandbox/proxy.ts";
import type { LockIO, LockStep } from "../schema/lock.ts";
import { lazyLocate } from "../source/locate.ts";

/** The methods `with.method` accepts. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** The keys of an http step's `with:` block. */
export const HTTP_WITH_KEYS = [
  "method",
  "url",
  "url_from",
  "headers",
  "headers_from",
  "query",
  "query_from",
  "body",
  "body_from",
  "expect",
  "redirects",
] as const;
/** The outputs an http step fills, each with the types it may be declared as. */
export const HTTP_OUTPUTS: Record<string, readonly string[]> = {
  status: ["int"],
  headers: ["json"],
  body: ["json", "str", "file"],
};
/** Redirects followed when `with.redirects` is not set. */
export const DEFAULT_REDIRECTS = 5;
/** The most redirects `with.redirects` may allow. */
export const MAX_REDIRECTS = 20;
/** Headers the client computes; a step may not set them. */
const MANAGED_HEADERS = ["host", "content-length", "transfer-encoding", "connection", "upgrade"];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A header whose value comes from an input at run time. */
export interface HeaderFrom {
  name: string;
  input: string;
  prefix: string;
}

/** The request an http step describes (inputs not yet bound). */
export interface HttpRequestPlan {
  method: typeof HTTP_METHODS[number];
  url?: string;
  urlFrom?: string;
  headers: [string, string][];
  headersFrom: HeaderFrom[];
  query: [string, string][];
  queryFrom: [string, string][];
  /** `with.body`: sent as JSON. */
  body?: { json: unknown };
  bodyFrom?: string;
  /** Status codes (100–599) and classes (`2`, for `2xx`) that count as success. */
  expect: { codes: number[]; classes: number[] };
  redirects: number;
}

/** One problem with a step's `with:` block or outputs, located by its path below the step. */
export interface HttpProblem {
  code:
    | "LILY-E0920"
    | "LILY-E0921"
    | "LILY-E0922"
    | "LILY-E0923"
    | "LILY-E0924"
    | "LILY-E0925"
    | "LILY-E0926"
    | "LILY-E0927"
    | "LILY-E0928"
    | "LILY-E0929";
  /** Path below the step (`["with", "url"]`); `key` points at the key rather than its value. */
  path: string[];
  key?: boolean;
  message: string;
  hint: string;
}

/** The fields of a (lock) step the reader uses. */
export type HttpStep = Pick<
  LockStep,
  "id" | "uses" | "adapter" | "with" | "inputs" | "outputs" | "resources"
>;

/**
 * Reads an http step's request and checks it, with its outputs. `problems` is empty when the
 * step can run.
 *
 * @example
 * ```ts
 * import { readHttpStep } from "./http.ts";
 * const { plan, problems } = readHttpStep({
 *   id: "get", uses: "tool", adapter: "http", inputs: {}, outputs: {},
 *   with: { url: "https://api.example.com/v1/items" },
 *   resources: { network: ["api.example.com"], binaries: [], env: [] },
 * });
 * if (problems.length || plan.method !== "GET") throw new Error("read");
 * ```
 */
export function readHttpStep(step: HttpStep): { plan: HttpRequestPlan; problems: HttpProblem[] } {
  const problems: HttpProblem[] = [];
  const id = step.id;
  const w = step.with;
  const add = (
    code: HttpProblem["code"],
    path: string[],
    message: string,
    hint: string,
    key = false,
  ) => problems.push({ code, path, key, message: `http step \`${id}\`: ${message}`, hint });
  const plan: HttpRequestPlan = {
    method: "GET",
    headers: [],
    headersFrom: [],
    query: [],
    queryFrom: [],
    expect: { codes: [], classes: [2] },
    redirects: DEFAULT_REDIRECTS,
  };
  if (step.uses !== "tool") {
    add(
      "LILY-E0920",
      ["adapter"],
      `\`adapter: http\` does not run \`uses: ${step.uses}\` steps`,
      "an http request is a `uses: tool` step: `uses: tool`, `adapter: http`, `with: {url: …}` (see docs/http.md)",
    );
    return { plan, problems };
  }
  for (const key of Object.keys(w)) {
    if (!(HTTP_WITH_KEYS as readonly string[]).includes(key)) {
      const near = didYouMean(key, HTTP_WITH_KEYS);
      add(
        "LILY-E0921",
        ["with", key],
        `unknown field \`with.${key}\``,
        `${near ? `did you mean \`${near}\`? ` : ""}an http step's \`with:\` takes ${
          listNames(HTTP_WITH_KEYS, 20)
        }`,
        true,
      );
    }
  }
  // Method.
  if (w.method !== undefined) {
    const method = typeof w.method === "string" ? w.method.toUpperCase() : "";
    if ((HTTP_METHODS as readonly string[]).includes(method)) {
      plan.method = method as HttpRequestPlan["method"];
    } else {
      add(
        "LILY-E0922",
        ["with", "method"],
        `\`with.method\` is ${JSON.stringify(w.method)}, not an HTTP method Lily sends`,
        `use one of ${listNames(HTTP_METHODS)}`,
      );
    }
  }
  const inputOf = (
    field: string,
    path: string[],
    name: unknown,
    allowed: readonly string[],
  ): string | undefined => {
    if (typeof name !== "string" || name === "") {
      add(
        "LILY-E0926",
        path,
        `\`${field}\` must name one of the step's inputs`,
        "declare the input under `inputs:` and give its name here",
      );
      return undefined;
    }
    const io: LockIO | undefined = Object.hasOwn(step.inputs, name) ? step.inputs[name] : undefined;
    if (!io) {
      const near = didYouMean(name, Object.keys(step.inputs));
      add(
        "LILY-E0926",
        path,
        `\`${field}\` names \`${name}\`, which is not an input of the step`,
        near
          ? `did you mean \`${near}\`?`
          : `declare it: \`inputs: {${name}: {from: params.${name}}}\` (or from a step's output)`,
      );
      return undefined;
    }
    if (!allowed.includes(io.type)) {
      add(
        "LILY-E0926",
        path,
        `\`${field}\` names input \`${name}\` of type \`${io.type}\`, which it cannot send`,
        `\`${field.split(".")[0]}\` takes an input whose type is one of ${listNames(allowed)}`,
      );
      return undefined;
    }
    return name;
  };
  // URL.
  if ((w.url === undefined) === (w.url_from === undefined)) {
    add(
      "LILY-E0923",
      w.url === undefined ? [] : ["with", "url_from"],
      "needs exactly one of `with.url` and `with.url_from`",
      "give it `with: {url: https://api.example.com/v1/items}` (hosts also in `resources.network`)",
      w.url !== undefined,
    );
  } else if (w.url !== undefined) {
    const problem = typeof w.url === "string" ? urlProblem(w.url) : "is not a string";
    if (problem) {
      add(
        "LILY-E0923",
        ["with", "url"],
        `\`with.url\` ${problem}`,
        "write an absolute `http://` or `https://` URL; credentials go in a header from a secret input (`headers_from`)",
      );
    } else {
      plan.url = w.url as string;
      const url = new URL(plan.url);
      const denial = hostDenial(step.resources.network, url);
      if (denial) {
        add(
          "LILY-E0924",
          ["with", "url"],
          step.resources.network === false
            ? `\`with.url\` reaches \`${denial}\`, but the step's network is off (\`resources.network\` is false by default)`
            : `\`with.url\` reaches \`${denial}\`, which \`resources.network\` does not list`,
          `add it to the step: \`resources: {network: [${
            hostEntry(url)
          }]}\` (a host, or host:port; see docs/http.md)`,
        );
      }
    }
  } else {
    plan.urlFrom = inputOf("url_from", ["with", "url_from"], w.url_from, ["str"]);
  }
  // Headers.
  const headerName = (name: string, path: string[]): boolean => {
    if (!TOKEN.test(name)) {
      add(
        "LILY-E0927",
        path,
        `\`${name}\` is not a header name`,
        "header names are tokens (`X-Api-Key`)",
        true,
      );
      return false;
    }
    if (MANAGED_HEADERS.includes(name.toLowerCase())) {
      add(
        "LILY-E0927",
        path,
        `header \`${name}\` is set by the client, not by a step`,
        "remove it: Lily computes it from the URL and the body",
        true,
      );
      return false;
    }
    return true;
  };
  const seenHeaders = new Set<string>();
  const duplicate = (name: string, path: string[]) => {
    const lower = name.toLowerCase();
    if (seenHeaders.has(lower)) {
      add(
        "LILY-E0927",
        path,
        `header \`${name}\` is given twice (in \`headers\` and \`headers_from\`, or in two cases)`,
        "give each header once",
        true,
      );
    }
    seenHeaders.add(lower);
  };
  for (const [field, entries] of mapEntries(w.headers, "headers", add)) {
    const path = ["with", "headers", field];
    if (!headerName(field, path)) continue;
    duplicate(field, path);
    if (!isScalar(entries) || /[\r\n\0]/.test(String(entries))) {
      add(
        "LILY-E0927",
        path,
        `header \`${field}\` must be a string, number or boolean on one line`,
        "write the value as text; a value from an input goes in `headers_from`",
      );
      continue;
    }
    plan.headers.push([field, String(entries)]);
  }
  for (const [field, spec] of mapEntries(w.headers_from, "headers_from", add)) {
    const path = ["with", "headers_from", field];
    if (!headerName(field, path)) continue;
    duplicate(field, path);
    const form = typeof spec === "object" && spec !== null && !Array.isArray(spec)
      ? spec as Record<string, unknown>
      : { input: spec };
    const extra = Object.keys(form).filter((k) => k !== "input" && k !== "prefix");
    if (extra.length || (form.prefix !== undefined && typeof form.prefix !== "string")) {
      add(
        "LILY-E0927",
        path,
        `\`headers_from.${field}\` takes an input name, or \`{input: NAME, prefix: TEXT}\``,
        'e.g. `Authorization: {input: token, prefix: "Bearer "}`',
      );
      continue;
    }
    const input = inputOf(
      `headers_from.${field}`,
      typeof spec === "object" && spec !== null ? [...path, "input"] : path,
      form.input,
      ["str", "int", "float", "bool", "secret"],
    );
    if (input) {
      plan.headersFrom.push({ name: field, input, prefix: String(form.prefix ?? "") });
    }
  }
  // Query.
  for (const [field, value] of mapEntries(w.query, "query", add)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every(isScalar)) {
      add(
        "LILY-E0927",
        ["with", "query", field],
        `query parameter \`${field}\` must be a string, number, boolean or a list of them`,
        "a value from an input goes in `query_from`",
      );
      continue;
    }
    for (const v of values) plan.query.push([field, String(v)]);
  }
  for (const [field, name] of mapEntries(w.query_from, "query_from", add)) {
    const input = inputOf(`query_from.${field}`, ["with", "query_from", field], name, [
      "str",
      "int",
      "float",
      "bool",
      "json",
      "secret",
    ]);
    if (input) plan.queryFrom.push([field, input]);
  }
  // Body.
  if (w.body !== undefined && w.body_from !== undefined) {
    add(
      "LILY-E0925",
      ["with", "body_from"],
      "has both `with.body` and `with.body_from`",
      "send one body: a JSON value (`body`) or an input (`body_from`)",
      true,
    );
  } else if (w.body !== undefined || w.body_from !== undefined) {
    if (plan.method === "GET" || plan.method === "HEAD") {
      add(
        "LILY-E0925",
        ["with", w.body !== undefined ? "body" : "body_from"],
        `a ${plan.method} request has no body`,
        "use `method: POST` (or PUT, PATCH), or send the values in `query`",
        true,
      );
    } else if (w.body !== undefined) plan.body = { json: w.body };
    else {
      plan.bodyFrom = inputOf("body_from", ["with", "body_from"], w.body_from, [
        "str",
        "int",
        "float",
        "bool",
        "json",
        "file",
        "secret",
      ]);
    }
  }
  // Expected statuses.
  if (w.expect !== undefined) {
    const list = Array.isArray(w.expect) ? w.expect : [w.expect];
    plan.expect = { codes: [], classes: [] };
    list.forEach((entry, i) => {
      const path = Array.isArray(w.expect) ? ["with", "expect", String(i)] : ["with", "expect"];
      if (typeof entry === "number" && Number.isInteger(entry) && entry >= 100 && entry <= 599) {
        plan.expect.codes.push(entry);
      } else if (typeof entry === "string" && /^[1-5]xx$/i.test(entry)) {
        plan.expect.classes.push(Number(entry[0]));
      } else {
        add(
          "LILY-E0928",
          path,
          `\`with.expect\` entry ${JSON.stringify(entry)} is not a status`,
          "list statuses (100–599) or classes: `expect: [200, 201]`, `expect: [2xx, 404]`",
        );
      }
    });
    if (list.length === 0) {
      add("LILY-E0928", ["with", "expect"], "`with.expect` is empty", "omit it to accept any 2xx");
    }
  }
  if (w.redirects !== undefined) {
    const r = w.redirects;
    if (typeof r === "number" && Number.isInteger(r) && r >= 0 && r <= MAX_REDIRECTS) {
      plan.redirects = r;
    } else {
      add(
        "LILY-E0928",
        ["with", "redirects"],
        `\`with.redirects\` must be a whole number from 0 to ${MAX_REDIRECTS}`,
        "0 returns a 3xx response as it is; the default follows 5 redirects",
      );
    }
  }
  // Outputs.
  for (const [name, io] of Object.entries(step.outputs)) {
    const types = Object.hasOwn(HTTP_OUTPUTS, name) ? HTTP_OUTPUTS[name] : undefined;
    if (!types) {
      add(
        "LILY-E0929",
        ["outputs", name],
        `output \`${name}\` is not filled by an http request`,
        "an http step's outputs are `status` (int), `headers` (json) and `body` (json, str or file)",
        true,
      );
    } else if (!types.includes(io.type)) {
      add(
        "LILY-E0929",
        ["outputs", name],
        `output \`${name}\` is declared \`${io.type}\`, but it is ${
          listNames(types.map((t) => t))
        }`,
        `declare it \`${name}: {type: ${types[0]}}\``,
        true,
      );
    } else if (name === "body" && io.type === "file" && io.path === undefined) {
      add(
        "LILY-E0929",
        ["outputs", name],
        "output `body` is a file with no `path:`",
        "say where the response goes: `body: {type: file, path: out/response.json}`",
        true,
      );
    } else if (name !== "body" && io.path !== undefined) {
      add(
        "LILY-E0929",
        ["outputs", name, "path"],
        `output \`${name}\` is a value, not a file`,
        "remove its `path:`",
        true,
      );
    }
  }
  return { plan, problems };
}

/** Why a URL cannot be sent, or undefined when it is an absolute http(s) URL. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `is a \`${url.protocol.slice(0, -1)}:\` URL, not http(s)`;
  }
  if (url.username || url.password) return "has credentials in it";
  if (url.hostname === "") return "has no host";
  return undefined;
}

/** The port a URL connects to. */
export function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/**
 * `host:port` when the step's network policy (`resources.network`) does not let it reach
 * `url`; undefined when it may. Hosts are matched as the sandbox's proxy matches them.
 */
export function hostDenial(network: boolean | readonly string[], url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = portOf(url);
  const allowed = network === true || (Array.isArray(network) && hostAllowed(network, host, port));
  return allowed ? undefined : `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The `resources.network` entry that would allow `url` (`host`, or `host:port` off default). */
function hostEntry(url: URL): string {
  return url.port ? `"${url.hostname}:${url.port}"` : url.hostname;
}

/** Whether `status` counts as success for the plan. */
export function isExpected(plan: HttpRequestPlan, status: number): boolean {
  return plan.expect.codes.includes(status) ||
    plan.expect.classes.includes(Math.floor(status / 100));
}

/** The positioned compose errors of every http step of a plan. */
export function httpStepErrors(
  plan: { steps: readonly LockStep[]; on_error: readonly LockStep[] },
  raw: unknown,
): LilyError[] {
  const errors: LilyError[] = [];
  for (const list of ["steps", "on_error"] as const) {
    const rawSteps = (raw as Record<string, unknown> | null)?.[list];
    for (const step of plan[list]) {
      if (step.adapter !== "http" || step.uses === "llm") continue;
      const index = Array.isArray(rawSteps)
        ? rawSteps.findIndex((s) => (s as Record<string, unknown> | null)?.id === step.id)
        : -1;
      const spanOf = (path: string[], key?: boolean): Span | undefined =>
        index < 0 ? undefined : locate(raw, [list, index, ...path], key);
      for (const p of readHttpStep(step).problems) {
        errors.push(
          new LilyError(p.code, p.message, { span: spanOf(p.path, p.key), hint: p.hint }),
        );
      }
    }
  }
  return errors;
}

/** The span of the deepest part of `path` the source has (a default has no position). */
function locate(raw: unknown, path: (string | number)[], key?: boolean): Span | undefined {
  let node = raw;
  let depth = 0;
  for (const part of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) break;
    node = (node as Record<string | number, unknown>)[part];
    depth++;
  }
  const found = path.slice(0, depth);
  return lazyLocate(raw, found, { key: key && depth === path.length });
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** The entries of a `with` map field; a non-map is a problem. */
function mapEntries(
  value: unknown,
  field: string,
  add: (code: HttpProblem["code"], path: string[], message: string, hint: string) => void,
): [string, unknown][] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    add(
      "LILY-E0927",
      ["with", field],
      `\`with.${field}\` must be a map`,
      `write it as \`${field}: {name: value}\``,
    );
    return [];
  }
  return Object.entries(value as Record<string, unknown>);
}
