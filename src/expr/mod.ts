/**
 * The `if:` expression language: compiled at compose time (compile.ts: lexer → parser → check
 * → status), stored in the lock as plain JSON (ast.ts), evaluated by `run` without parsing
 * (evaluate.ts), printed back canonically (print.ts). See docs/expressions.md.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileExpr, evaluateCondition, printExpr } from "./mod.ts";
 * const scope = {
 *   lookup: (p: readonly string[]) => p.join(".") === "params.size" ? "int" as const : undefined,
 *   names: () => ["size"],
 * };
 * const c = compileExpr("params.size >= 720 && !failure()", scope, { file: "f", line: 1, col: 5 });
 * const ok = evaluateCondition(c, {
 *   lookup: () => 1080,
 *   status: { dependencyFailed: false, cancelled: false },
 * });
 * assert.ok(ok && printExpr(c.ast) === "params.size >= 720 && !failure()");
 * ```
 * @module
 */
export type { Ast, BinaryOp, ExprType, Status, StatusFunction, Where } from "./ast.ts";
export { EXPR_LANG_VERSION, MAX_DEPTH, MAX_LENGTH, STATUS_FUNCTIONS } from "./ast.ts";
export { type Compiled, compileExpr } from "./compile.ts";
export type { Scope } from "./check.ts";
export { equal, type EvalContext, evaluate, evaluateCondition } from "./evaluate.ts";
export { printExpr } from "./print.ts";
export { statusOf } from "./status.ts";
