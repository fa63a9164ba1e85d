/**
 * The `if:` expression language: compiled at compose time (compile.ts), stored in the lock
 * as JSON (ast.ts), evaluated by `run` without parsing (evaluate.ts). See docs/expressions.md.
 * @module
 */
export type { Ast, ExprType, Status } from "./ast.ts";
export { EXPR_LANG_VERSION } from "./ast.ts";
export { type Compiled, compileExpr, MAX_DEPTH, type Scope } from "./compile.ts";
export { equal, type EvalContext, evaluate, evaluateCondition } from "./evaluate.ts";
export { MAX_LENGTH } from "./lexer.ts";
export { printExpr } from "./print.ts";
/** Where an expression sits in its source file. */
export type { Span as Where } from "../errors.ts";
