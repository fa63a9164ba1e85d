/**
 * Compiling an `if:` condition at compose time: lex, parse, check, decide its status. The
 * result is plain JSON for the lock; nothing here runs at run time.
 * @module
 */
import type { Ast, Status, Where } from "./ast.ts";
import { checkExpr, type Scope } from "./check.ts";
import { parseExpr } from "./parser.ts";
import { statusOf } from "./status.ts";

/**
 * A compiled condition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Compiled } from "./compile.ts";
 * const c: Compiled = { source: "always()", ast: { call: "always" }, status: "always", refs: [] };
 * assert.ok(c.status === "always");
 * ```
 */
export interface Compiled {
  source: string;
  ast: Ast;
  /** The status function that governs the step (see status.ts); `success` when none is used. */
  status: Status;
  /** Identifier paths the expression reads, each once, in source order. */
  refs: string[][];
}

/**
 * Compiles an `if:` expression. Throws a LilyError (codes LILY-E0501…E0514) whose span column is
 * `where.col` + the offset of the offending part; never throws anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileExpr } from "./compile.ts";
 * const scope = {
 *   lookup: (p: readonly string[]) => p.join(".") === "params.n" ? "int" as const : undefined,
 *   names: () => ["n"],
 * };
 * const c = compileExpr("params.n > 2", scope, { file: "f", line: 1, col: 1 });
 * assert.ok(c.status === "success" && c.refs[0].join(".") === "params.n");
 * ```
 */
export function compileExpr(source: string, scope: Scope, where: Where): Compiled {
  const parsed = parseExpr(source, where);
  const { refs } = checkExpr(parsed, scope, where);
  return { source, ast: parsed.ast, status: statusOf(parsed.ast, parsed.calls), refs };
}
