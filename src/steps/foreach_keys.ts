/**
 * The keys of a foreach's items: the `key:` template (`{{ item }}`, `{{ item.name }}`,
 * `{{ index }}` and literal text) and what makes a key usable — safe as a file name (logs are
 * named after step ids), unique within its foreach. One evaluator serves compose (items known
 * there) and the engine (items known only at run time), so a key means the same in both; it is
 * deliberately not the template engine, which never runs at run time.
 * @module
 */

/**
 * A key: letters, digits, `_`, `-`, `.`, `=`, `+`; not starting with `.`; ≤ 64 chars (no `,`:
 * `--only a,b` lists steps).
 */
export const SAFE_KEY = /^[A-Za-z0-9_=+-][A-Za-z0-9_.=+-]{0,63}$/;

/** One piece of a parsed key template. */
type Piece = { text: string } | { path: string[] } | { index: true };

/** A key template, parsed; or why it cannot be. */
export type KeyTemplate = { pieces: Piece[] } | { error: string };

const EXPR = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Parses a key template. Expressions are `item`, `item.<field>…` and `index`; anything else
 * (filters, `{%`) is refused so the engine can evaluate the key without a template engine.
 *
 * @example
 * ```ts
 * import { keyOf, parseKeyTemplate } from "./foreach_keys.ts";
 * const t = parseKeyTemplate("{{ item.os }}-{{ index }}");
 * if ("error" in t || keyOf(t, { os: "linux" }, 2) !== "linux-2") throw new Error("key");
 * ```
 */
export function parseKeyTemplate(source: string): KeyTemplate {
  if (/\{[%#]/.test(source)) return { error: "`{%` and `{#` are not allowed in a key" };
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of source.matchAll(EXPR)) {
    if (m.index > last) pieces.push({ text: source.slice(last, m.index) });
    const expr = m[1];
    if (expr === "index") pieces.push({ index: true });
    else if (/^item(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(expr)) {
      pieces.push({ path: expr.split(".").slice(1) });
    } else {
      return {
        error:
          `\`{{ ${expr} }}\` is not a key expression (use \`item\`, \`item.<field>\` or \`index\`)`,
      };
    }
    last = m.index + m[0].length;
  }
  const rest = source.slice(last);
  if (/\{\{|\}\}/.test(rest)) return { error: "an unclosed `{{` in the key" };
  if (rest) pieces.push({ text: rest });
  return { pieces };
}

/** The key of `item` (at `index`) under a parsed template; objects and lists as JSON. */
export function keyOf(template: { pieces: Piece[] }, item: unknown, index: number): string {
  let out = "";
  for (const piece of template.pieces) {
    if ("text" in piece) out += piece.text;
    else if ("index" in piece) out += String(index);
    else {
      let value: unknown = item;
      for (const field of piece.path) {
        value = typeof value === "object" && value !== null && Object.hasOwn(value, field)
          ? (value as Record<string, unknown>)[field]
          : undefined;
      }
      out += value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return out;
}

/**
 * The first `item.<field>…` of the template that `item` does not have (`name`, `os.arch`), or
 * undefined when it has them all: the key would silently miss that part.
 *
 * @example
 * ```ts
 * import { missingField, parseKeyTemplate } from "./foreach_keys.ts";
 * const t = parseKeyTemplate("{{ item.name }}");
 * if ("error" in t || missingField(t, { x: 1 }) !== "name") throw new Error("missing");
 * ```
 */
export function missingField(template: { pieces: Piece[] }, item: unknown): string | undefined {
  for (const piece of template.pieces) {
    if (!("path" in piece)) continue;
    let value: unknown = item;
    for (const [n, field] of piece.path.entries()) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, field)) {
        return piece.path.slice(0, n + 1).join(".");
      }
      value = (value as Record<string, unknown>)[field];
    }
  }
  return undefined;
}

/** Why `key` cannot be a sub-step's key, or undefined when it can. */
export function badKey(key: string): string | undefined {
  if (key === "") return "is empty";
  if (!SAFE_KEY.test(key)) {
    return "is not safe in a file name (letters, digits, `_ - . = +`, at most 64, not starting with `.`)";
  }
  return undefined;
}

/**
 * The default key of a matrix combination: its values in order, joined by `-`
 * (`linux-3.12`); characters a key may not hold become `_`.
 */
export function matrixKey(combination: Record<string, unknown>): string {
  return Object.values(combination)
    .map((v) => (typeof v === "string" ? v : JSON.stringify(v)).replace(/[^A-Za-z0-9_.=+-]/g, "_"))
    .join("-")
    .replace(/^\./, "_")
    .slice(0, 64);
}

/** The text a sub-step gets as `$LILY_INPUT_ITEM`: a string as is, anything else as JSON. */
export function itemText(item: unknown): string {
  return typeof item === "string" ? item : JSON.stringify(item ?? null);
}
