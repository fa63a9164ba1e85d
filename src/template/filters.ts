/**
 * Lily's template filters (and the same functions as globals): deterministic by default,
 * nothing that reaches the host except `env`, which only reads names the policy allows.
 * @module
 */
import { createHash, randomUUID } from "node:crypto";
import { posix } from "node:path";
import { canonicalJson } from "../util/canonical_json.ts";
import { type Effects, Refusal, SecretRef, secretRefusal } from "./guards.ts";
import { shellQuote } from "./shell_quote.ts";
import { markQuoted, shellCode } from "./shell_mode.ts";

/** What filters may see during one render. */
export interface FilterState {
  projectRoot: string;
  sourceDateEpoch?: number;
  seed: string;
  envAllowed: readonly string[];
  getEnv(name: string): string | undefined;
  effects: Effects;
}

let state: FilterState | undefined;

/** Sets the state for the render about to run (renders are synchronous). */
export function withFilterState<T>(next: FilterState, fn: () => T): T {
  const previous = state;
  state = next;
  try {
    return fn();
  } finally {
    state = previous;
  }
}

function current(): FilterState {
  if (!state) throw new Error("internal: filter used outside a render");
  return state;
}

function text(value: unknown, filter: string): string {
  if (value instanceof SecretRef) throw secretRefusal(value.name);
  if (value === undefined || value === null) {
    throw new Refusal(
      "LILY-E0403",
      `\`${filter}\` got an undefined or null value`,
      'give it a value, or use `| default("…")` first',
    );
  }
  if (typeof value === "string" || value instanceof String) return String(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Refusal(
    "LILY-E0413",
    `\`${filter}\` needs a string, not ${
      value === null || value === undefined ? "nothing" : typeof value
    }`,
  );
}

function assertNoSecrets(value: unknown): void {
  if (value instanceof SecretRef) throw secretRefusal(value.name);
  if (Array.isArray(value)) value.forEach(assertNoSecrets);
  else if (value && typeof value === "object") Object.values(value).forEach(assertNoSecrets);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `now`: the compose clock (`SOURCE_DATE_EPOCH` when set), ISO-8601 UTC or a strftime subset. */
export function now(_input?: unknown, format = "iso"): string {
  const s = current();
  s.effects.now = true;
  const epoch = s.sourceDateEpoch ?? Math.floor(Date.now() / 1000);
  const d = new Date(epoch * 1000);
  if (format === "iso") return d.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (format === "date") return d.toISOString().slice(0, 10);
  if (format === "unix") return String(epoch);
  if (typeof format !== "string") throw new Refusal("LILY-E0413", "`now` takes a format string");
  return format.replace(/%([YmdHMSs%])/g, (_, c: string) =>
    ({
      Y: String(d.getUTCFullYear()),
      m: pad(d.getUTCMonth() + 1),
      d: pad(d.getUTCDate()),
      H: pad(d.getUTCHours()),
      M: pad(d.getUTCMinutes()),
      S: pad(d.getUTCSeconds()),
      s: String(epoch),
      "%": "%",
    })[c]!);
}

/** `hash`: sha256 hex of the text (or canonical JSON), optionally shortened. */
export function hash(input: unknown, length?: number): string {
  assertNoSecrets(input);
  const data = typeof input === "string" ? input : canonicalJson(input ?? null);
  const hex = createHash("sha256").update(data).digest("hex");
  return typeof length === "number" && length > 0 ? hex.slice(0, length) : hex;
}

/** `tojson`: canonical JSON (sorted keys). */
export function tojson(input: unknown): string {
  assertNoSecrets(input);
  return canonicalJson(input === undefined ? null : input);
}

/** `abspath`: the absolute path of a project-relative path (machine-dependent: recorded). */
export function abspath(input: unknown): string {
  const s = current();
  s.effects.machinePath = true;
  return posix.resolve(s.projectRoot.replaceAll("\\", "/"), text(input, "abspath"));
}

/** `relpath`: a path relative to the project root (or to `base`), with `/`. */
export function relpath(input: unknown, base?: string): string {
  const root = current().projectRoot.replaceAll("\\", "/");
  const from = base === undefined ? root : posix.resolve(root, base);
  return posix.relative(from, posix.resolve(root, text(input, "relpath"))) || ".";
}

/** `env`: a host variable the policy allows (`template_env` in .lilyrc). */
export function env(input: unknown, fallback?: string): string {
  const s = current();
  const name = text(input, "env");
  if (!s.envAllowed.includes(name)) {
    throw new Refusal(
      "LILY-E0412",
      `host variable \`${name}\` is not allowed in templates`,
      `add it to \`template_env: [${name}]\` in .lilyrc (its value is then recorded, as a digest, in the lock)`,
    );
  }
  if (!s.effects.envRead.includes(name)) s.effects.envRead.push(name);
  const value = s.getEnv(name);
  if (value !== undefined) return value;
  if (fallback !== undefined) return String(fallback);
  throw new Refusal(
    "LILY-E0412",
    `host variable \`${name}\` is not set`,
    `set it, or give a default: \`{{ "${name}" | env("…") }}\``,
  );
}

/** `basename`. */
export function basename(input: unknown): string {
  return posix.basename(text(input, "basename"));
}

/** `dirname`. */
export function dirname(input: unknown): string {
  return posix.dirname(text(input, "dirname"));
}

/** `joinpath`: `{{ "out" | joinpath(params.fmt, "x.mp4") }}`. */
export function joinpath(input: unknown, ...parts: unknown[]): string {
  return posix.join(text(input, "joinpath"), ...parts.map((p) => text(p, "joinpath")));
}

/** `uuid`: name-based (UUIDv5 layout over sha1 of the seed and input); `uuid("random")`: v4. */
export function uuid(input?: unknown, kind?: string): string {
  const s = current();
  if (input === "random" || kind === "random") {
    s.effects.randomUuid = true;
    return randomUUID();
  }
  const name = input === undefined || input === null ? "" : text(input, "uuid");
  const bytes = createHash("sha1").update(`${s.seed}\u0000${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * `shq`: POSIX shell quoting. In a field that reaches a shell the value is escaped for its
 * context anyway; there `shq` marks the value as one literal (the same as no filter).
 */
export function shq(input: unknown): string {
  const value = text(input, "shq");
  return markQuoted(shellQuote(value), value);
}

/** Lily's own filters, by name. */
export const LILY_FILTERS: Record<string, (...args: never[]) => unknown> = {
  now,
  hash,
  tojson,
  abspath,
  relpath,
  env,
  basename,
  dirname,
  joinpath,
  uuid,
  shq,
  quote: shq,
  shell_code: shellCode,
};

/** nunjucks built-in filters kept: pure functions of their input. */
export const BUILTIN_FILTERS = [
  "abs",
  "batch",
  "capitalize",
  "center",
  "default",
  "d",
  "dictsort",
  "first",
  "float",
  "indent",
  "int",
  "join",
  "last",
  "length",
  "list",
  "lower",
  "replace",
  "reverse",
  "round",
  "slice",
  "sort",
  "string",
  "title",
  "trim",
  "truncate",
  "upper",
  "urlencode",
  "wordcount",
] as const;
