/**
 * What templates may never touch, and the per-render state that enforces it (secrets as
 * opaque references, the loop budget, effects). Shared by the fast path and nunjucks.
 * @module
 */
import { derivedSpan, didYouMean, type ErrorCode, LilyError, type Span } from "../errors.ts";

/** Member names refused everywhere: the ways JavaScript reaches code from data. */
export const BLOCKED_NAMES: ReadonlySet<string> = new Set([
  "constructor",
  "__proto__",
  "prototype",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "caller",
  "callee",
  "arguments",
  "call",
  "apply",
  "bind",
  "toString",
  "valueOf",
  "toLocaleString",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

/** Total loop iterations one template may run (nested loops count every inner iteration). */
export const MAX_ITERATIONS = 10_000;
/** Longest template text accepted. */
export const MAX_TEMPLATE_LENGTH = 64 * 1024;
/** Longest rendered text accepted. */
export const MAX_OUTPUT_LENGTH = 1024 * 1024;

/** A secret param in the template context: its name, never its value. */
export class SecretRef {
  constructor(readonly name: string) {}
}

/** Side effects of one render. */
export interface Effects {
  now: boolean;
  randomUuid: boolean;
  machinePath: boolean;
  envRead: string[];
  /** `params.NAME` / `vars.NAME` the template read (for "why did this step's key change"). */
  reads?: string[];
}

/** The objects whose members are recorded when read, by root name (`params`, `vars`). */
export const readRoots: WeakMap<object, string> = new WeakMap();
/** Where the render in progress records the names it reads. */
export const nameReads: { into?: Set<string> } = {};

/** The last refusal raised (nunjucks wraps errors; the render picks this back up). */
export const refusals: { last?: Refusal } = {};

/** A refusal raised inside nunjucks, re-thrown with the template position afterwards. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    /** Text of the template to point at, when known (`constructor`, `params.token`). */
    readonly needle?: string,
  ) {
    super(message);
    refusals.last = this;
  }
}

/** The error for a secret that a template tried to render. */
export function secretRefusal(name: string): Refusal {
  return new Refusal(
    "LILY-E0410",
    `secret param \`${name}\` cannot be rendered into text`,
    `pass it to the step at run time instead: \`inputs: {${name}: {type: secret, from: params.${name}}}\`, then read $LILY_INPUT_${name.toUpperCase()}`,
    name,
  );
}

/** Throws when `name` is one of {@linkcode BLOCKED_NAMES}. */
export function refuseBlocked(name: string): void {
  if (BLOCKED_NAMES.has(name)) {
    throw new Refusal(
      "LILY-E0404",
      `\`${name}\` cannot be read in a template`,
      "templates read data (params, vars) only",
      name,
    );
  }
}

/** Refuses a member lookup that could reach code; returns the value otherwise. */
export function safeMember(obj: unknown, key: unknown, path: string): unknown {
  if (obj === undefined || obj === null) return undefined;
  const name = String(key);
  if (typeof key !== "string" && typeof key !== "number") {
    throw new Refusal("LILY-E0404", `\`${path}[…]\`: a member name must be a string or number`);
  }
  refuseBlocked(name);
  if (typeof obj === "function") {
    throw new Refusal(
      "LILY-E0404",
      `members of functions cannot be read in a template (\`.${name}\`)`,
    );
  }
  if (obj instanceof SecretRef) throw secretRefusal(obj.name);
  if (typeof obj === "string") {
    if (name === "length") return obj.length;
    if (/^\d+$/.test(name)) return obj[Number(name)];
    throw new Refusal(
      "LILY-E0404",
      `strings have no member \`${name}\` in templates`,
      'use filters: `| upper`, `| replace("a", "b")`, `| length`…',
    );
  }
  if (typeof obj !== "object") return undefined;
  if (Array.isArray(obj) && name === "length") return obj.length;
  if (!Object.hasOwn(obj, name)) return undefined;
  const value = (obj as Record<string, unknown>)[name];
  if (value instanceof SecretRef) throw secretRefusal(value.name);
  const root = readRoots.get(obj);
  if (root !== undefined) nameReads.into?.add(`${root}.${name}`);
  if (typeof value === "function") {
    throw new Refusal("LILY-E0404", `\`${name}\` is a function and cannot be used in a template`);
  }
  return value;
}

/** Text for a rendered value (nunjucks semantics: null/undefined are errors). */
export function outputText(value: unknown): string {
  if (value instanceof SecretRef) throw secretRefusal(value.name);
  if (typeof value === "string" || value instanceof String) return String(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "function") {
    throw new Refusal("LILY-E0406", "a function cannot be rendered");
  }
  if (
    value && typeof value === "object" && (value as { val?: unknown }).val !== undefined &&
    value.constructor?.name === "SafeString"
  ) {
    return String((value as { val: unknown }).val);
  }
  if (value && typeof value === "object") {
    throw new Refusal(
      "LILY-E0406",
      `a ${Array.isArray(value) ? "list" : "map"} cannot be rendered as text`,
      'render one field (`{{ params.cfg.name }}`) or serialize it: `{{ params.cfg | tojson }}`, `{{ list | join(",") }}`',
    );
  }
  throw new Refusal("LILY-E0403", "attempted to output a null or undefined value");
}

/** Turns a refusal (or nunjucks error) into a LilyError at a template position. */
export function located(
  code: ErrorCode,
  message: string,
  where: Span,
  line: number | undefined,
  col: number | undefined,
  hint?: string,
): LilyError {
  const l = line ?? 1;
  const c = col ?? 1;
  return new LilyError(code, `template: ${message}`, {
    span: derivedSpan(where, (w) => ({
      file: w.file,
      line: w.line + l - 1,
      // A multi-line template is a `|` block: its lines share the block's indentation.
      col: w.col + c - 1,
    })),
    hint,
  });
}

/** Error for an undefined name, with did-you-mean over what the template can see. */
export function undefinedName(path: string, known: string[]): Refusal {
  const guess = didYouMean(path, known);
  return new Refusal(
    "LILY-E0403",
    `\`${path}\` is not defined`,
    guess
      ? `did you mean \`${guess}\`?`
      : known.length
      ? `defined: ${known.slice(0, 12).map((k) => `\`${k}\``).join(", ")}`
      : "templates see `params.<name>` and `vars.<name>`",
  );
}
