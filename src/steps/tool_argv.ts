/**
 * A tool's argv template and how a step's arguments fill it. Each element of `argv:` is one
 * argv element of the program: `{name}` in it is replaced by the argument's value as text
 * (`-crf={crf}` stays one element), `{{` and `}}` are literal braces, and an element
 * `{if: ARG, then: [...]}` adds its elements only when the argument is set (and, for a `bool`,
 * true). Values are never split, quoted or read by a shell: a value `; id` is the one argument
 * `; id`.
 * @module
 */

/** A literal piece of an argv element, or a placeholder. */
export type Piece = { lit: string } | { arg: string; start: number; end: number };

/** One argv element as written, parsed. */
export interface Template {
  text: string;
  pieces: Piece[];
}

/** An element of a tool's `argv:`: a template, or templates added when an argument is set. */
export type ArgvPart = Template | { if: string; then: Template[] };

const PLACEHOLDER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses one argv element; `error` with the offset of the problem when it is not a template.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseTemplate } from "./tool_argv.ts";
 * const t = parseTemplate("-crf={crf}{{x}}");
 * assert("template" in t && t.template.pieces.length === 3);
 * ```
 */
export function parseTemplate(
  text: string,
): { template: Template } | { error: string; offset: number } {
  const pieces: Piece[] = [];
  let lit = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{" && text[i + 1] === "{") {
      lit += "{";
      i++;
    } else if (ch === "}" && text[i + 1] === "}") {
      lit += "}";
      i++;
    } else if (ch === "{") {
      const close = text.indexOf("}", i);
      if (close < 0) return { error: "a `{` is not closed", offset: i };
      const name = text.slice(i + 1, close).trim();
      if (!PLACEHOLDER.test(name)) {
        return { error: `\`{${text.slice(i + 1, close)}}\` is not a placeholder`, offset: i };
      }
      if (lit) pieces.push({ lit });
      lit = "";
      pieces.push({ arg: name, start: i, end: close + 1 });
      i = close;
    } else if (ch === "}") {
      return { error: "a `}` closes nothing (write `}}` for a brace)", offset: i };
    } else lit += ch;
  }
  if (lit) pieces.push({ lit });
  return { template: { text, pieces } };
}

/** The placeholders of a template, in order. */
export function placeholdersOf(
  template: Template,
): { name: string; start: number; end: number }[] {
  return template.pieces.flatMap((p) =>
    "arg" in p ? [{ name: p.arg, start: p.start, end: p.end }] : []
  );
}

/** A value as the program receives it. */
export function argText(value: string | number | boolean): string {
  return typeof value === "string" ? value : String(value);
}

function fill(template: Template, values: Record<string, string | number | boolean>): string {
  return template.pieces.map((p) => "lit" in p ? p.lit : argText(values[p.arg])).join("");
}

/**
 * The program's arguments (after argv[0]) for checked `values` (defaults filled in; an unset
 * optional argument is absent). Declarations guarantee that a placeholder outside an `if:`
 * always has a value.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { buildArgv, parseTemplate } from "./tool_argv.ts";
 * const t = (s: string) => (parseTemplate(s) as { template: never }).template;
 * const argv = buildArgv([t("-i"), t("{in}"), { if: "y", then: [t("-y")] }], { in: "; id", y: false });
 * assertEquals(argv, ["-i", "; id"]);
 * ```
 */
export function buildArgv(
  parts: readonly ArgvPart[],
  values: Record<string, string | number | boolean>,
): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if ("if" in part) {
      const value = values[part.if];
      if (value === undefined || value === false) continue;
      for (const template of part.then) out.push(fill(template, values));
    } else out.push(fill(part, values));
  }
  return out;
}
