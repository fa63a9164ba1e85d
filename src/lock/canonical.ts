/**
 * Canonical YAML, the lock file's text: the same value gives the same bytes on every OS.
 * (Canonical JSON, which feeds hashes, is `util/canonical_json.ts`.)
 * @module
 */

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

/** Options for {@linkcode toCanonicalYaml}. */
export interface CanonicalYamlOptions {
  /** Key order for the top-level map; other keys follow, sorted. */
  topOrder?: readonly string[];
}

/**
 * Block-style YAML with sorted keys (top-level keys optionally in a given order). Strings are
 * plain when unambiguous, `|`-literal when multi-line and safe, else JSON-quoted. The output
 * parses back (with any YAML 1.2 parser) to the same value.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { toCanonicalYaml } from "./canonical.ts";
 * assert(toCanonicalYaml({ b: [1, "x y"], a: {} }) === 'a: {}\nb:\n  - 1\n  - "x y"\n');
 * ```
 */
export function toCanonicalYaml(value: unknown, options: CanonicalYamlOptions = {}): string {
  // One string grown by `+=` (V8 keeps it as a rope and flattens it once): a 1000-step lock
  // is ≈ 50,000 lines, and joining an array of them cost more than writing them.
  const out = { text: "" };
  if (isMap(value)) {
    const keys = orderedKeys(value, options.topOrder ?? []);
    if (keys.length === 0) return "{}\n";
    for (const key of keys) writeMember(out, key, value[key], 0, "");
  } else if (Array.isArray(value)) {
    if (value.length === 0) return "[]\n";
    for (const item of value) writeItem(out, item, 0, "");
  } else {
    out.text = scalar(value, 0) + "\n";
  }
  return out.text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function orderedKeys(map: Record<string, unknown>, first: readonly string[]): string[] {
  let present = Object.keys(map);
  for (const k of present) {
    if (map[k] === undefined) {
      present = present.filter((x) => map[x] !== undefined);
      break;
    }
  }
  if (first.length === 0) return present.sort();
  const head = first.filter((k) => present.includes(k));
  const rest = present.filter((k) => !first.includes(k)).sort();
  return [...head, ...rest];
}

// A 1000-step lock is ≈ 50,000 lines of a few hundred distinct keys and depths: their texts
// are kept rather than tested and built again for every line.
const keyTexts = new Map<string, string>();
const pads: string[] = [];

function key(k: string): string {
  let text = keyTexts.get(k);
  if (text === undefined) {
    text = PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
    if (keyTexts.size < 4096) keyTexts.set(k, text);
  }
  return text;
}

function padOf(indent: number): string {
  return pads[indent] ??= " ".repeat(indent);
}

/**
 * Writes `k: v` at `indent`. `lead` is what the first line starts with instead of the
 * indentation (same width): `- ` marks when the member opens a list item.
 */
function writeMember(
  out: { text: string },
  k: string,
  v: unknown,
  indent: number,
  lead: string,
): void {
  if (isMap(v)) {
    const children = orderedKeys(v, []);
    if (children.length) {
      out.text += lead + key(k) + ":\n";
      const pad = padOf(indent + 2);
      for (const child of children) writeMember(out, child, v[child], indent + 2, pad);
      return;
    }
  } else if (Array.isArray(v) && v.length > 0) {
    out.text += lead + key(k) + ":\n";
    const pad = padOf(indent + 2);
    for (const item of v) writeItem(out, item, indent + 2, pad);
    return;
  }
  out.text += lead + key(k) + ": " + scalar(v, indent + 2) + "\n";
}

/** Writes the list item `v` at `indent`; `lead` as for {@linkcode writeMember}. */
function writeItem(out: { text: string }, v: unknown, indent: number, lead: string): void {
  if (isMap(v)) {
    const keys = orderedKeys(v, ["id"]);
    if (keys.length) {
      // The item's first member goes on the `- ` line.
      writeMember(out, keys[0], v[keys[0]], indent + 2, lead + "- ");
      const pad = padOf(indent + 2);
      for (let i = 1; i < keys.length; i++) writeMember(out, keys[i], v[keys[i]], indent + 2, pad);
      return;
    }
  } else if (Array.isArray(v) && v.length > 0) {
    writeItem(out, v[0], indent + 2, lead + "- ");
    const pad = padOf(indent + 2);
    for (let i = 1; i < v.length; i++) writeItem(out, v[i], indent + 2, pad);
    return;
  }
  out.text += lead + "- " + scalar(v, indent + 2) + "\n";
}

function scalar(v: unknown, indent: number): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new TypeError(`cannot serialize the number ${v}`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[]";
  if (isMap(v)) return "{}";
  if (typeof v !== "string") throw new TypeError(`cannot serialize a ${typeof v}`);
  if (PLAIN.test(v) && !RESERVED.test(v) && !/^[0-9.+-]/.test(v)) return v;
  if (isLiteralSafe(v)) {
    const body = v.endsWith("\n") ? v.slice(0, -1) : v;
    const pad = " ".repeat(indent);
    return `${v.endsWith("\n") ? "|" : "|-"}\n${
      body.split("\n").map((l) => l ? pad + l : "").join("\n")
    }`;
  }
  return JSON.stringify(v);
}

function isLiteralSafe(v: string): boolean {
  if (!v.includes("\n") || v.endsWith("\n\n") || v.startsWith(" ") || v.startsWith("\n")) {
    return false;
  }
  // Printable text only; no trailing spaces (a literal block would keep them invisibly).
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(v)) return false;
  return v.split("\n").every((line) => !/[ \t]$/.test(line));
}
