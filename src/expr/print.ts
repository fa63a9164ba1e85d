/**
 * Canonical source text of a compiled expression (for `explain`, `diff` and round-trip tests):
 * the fewest parentheses that keep its meaning, double-quoted strings, one space around binary
 * operators. Printing then compiling gives back the same AST.
 * @module
 */
import type { Ast } from "./ast.ts";

// Binding strength; a child that binds more loosely than its slot needs parentheses.
const PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  in: 4,
};
const UNARY = 5;

/**
 * Prints an AST as canonical source text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printExpr } from "./print.ts";
 * const text = printExpr({
 *   op: "&&",
 *   l: { op: "||", l: { call: "failure" }, r: { lit: true } },
 *   r: { op: "!", a: { ref: ["params", "dry"] } },
 * });
 * assert.ok(text === "(failure() || true) && !params.dry");
 * ```
 */
export function printExpr(ast: Ast): string {
  return print(ast, 0);
}

function print(ast: Ast, slot: number): string {
  if ("lit" in ast) {
    if (typeof ast.lit === "string") return quote(ast.lit);
    if (typeof ast.lit === "number") return number(ast.lit);
    return String(ast.lit);
  }
  if ("list" in ast) return `[${ast.list.map((item) => print(item, 0)).join(", ")}]`;
  if ("ref" in ast) return ast.ref.join(".");
  if ("call" in ast) return `${ast.call}()`;
  if (ast.op === "!") return `!${print(ast.a, UNARY)}`;
  const own = PRECEDENCE[ast.op];
  // `||`, `&&`, `==`, `!=` are left-associative; relations do not chain, so both sides of a
  // relation need a tighter operand.
  const left = print(ast.l, own === 4 ? own + 1 : own);
  const right = print(ast.r, own + 1);
  const text = `${left} ${ast.op} ${right}`;
  return own < slot ? `(${text})` : text;
}

/** A number as the lexer reads it back exactly. */
function number(value: number): string {
  // Integers past 2^53 are refused when written plainly (they would be rounded silently);
  // the shortest exponent form denotes the same double.
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
  return String(value);
}

/** A double-quoted string literal the lexer reads back to the same value. */
function quote(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (
      code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 ||
      code === 0x2029 || isLoneSurrogate(value, i)
    ) {
      out += "\\u" + code.toString(16).padStart(4, "0");
    } else {
      out += ch;
    }
  }
  return out + '"';
}

function isLoneSurrogate(value: string, i: number): boolean {
  const code = value.charCodeAt(i);
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = value.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = value.charCodeAt(i - 1);
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return false;
}
