/**
 * Canonical source text of a compiled expression (for `explain`, `diff` and round-trip tests).
 * @module
 */
import type { Ast } from "./ast.ts";

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

/**
 * Prints an AST with the fewest parentheses that keep its meaning.
 *
 * @example
 * ```ts
 * import { printExpr } from "./print.ts";
 * console.assert(printExpr({ op: "!", a: { call: "failure" } }) === "!failure()");
 * ```
 */
export function printExpr(ast: Ast): string {
  return print(ast, 0);
}

function print(ast: Ast, parent: number): string {
  if ("lit" in ast) return typeof ast.lit === "string" ? JSON.stringify(ast.lit) : String(ast.lit);
  if ("list" in ast) return `[${ast.list.map((x) => print(x, 0)).join(", ")}]`;
  if ("ref" in ast) return ast.ref.join(".");
  if ("call" in ast) return `${ast.call}()`;
  if (ast.op === "!") {
    const inner = print(ast.a, 5);
    return `!${inner}`;
  }
  const p = PRECEDENCE[ast.op];
  // Left-associative for && || == !=; relations are non-associative, so parenthesize both sides.
  const leftP = p === 4 ? p + 1 : p;
  const text = `${print(ast.l, leftP)} ${ast.op} ${print(ast.r, p + 1)}`;
  return p < parent ? `(${text})` : text;
}
