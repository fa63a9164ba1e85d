/**
 * The compiled form of an `if:` condition and the language's fixed facts. The AST is plain
 * JSON: it is stored in the lock and evaluated by `run` without parsing. No logic lives here.
 * @module
 */

/**
 * A node of a compiled expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Ast } from "./ast.ts";
 * // params.n > 2 && !failure()
 * const ast: Ast = {
 *   op: "&&",
 *   l: { op: ">", l: { ref: ["params", "n"] }, r: { lit: 2 } },
 *   r: { op: "!", a: { call: "failure" } },
 * };
 * assert.ok(JSON.parse(JSON.stringify(ast)).l.r.lit === 2);
 * ```
 */
export type Ast =
  | { lit: string | number | boolean | null }
  | { list: Ast[] }
  | { ref: string[] }
  | { call: StatusFunction }
  | { op: "!"; a: Ast }
  | { op: BinaryOp; l: Ast; r: Ast };

/**
 * Operators with two operands.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BinaryOp } from "./ast.ts";
 * const op: BinaryOp = "in";
 * assert.ok(op === "in");
 * ```
 */
export type BinaryOp = "&&" | "||" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in";

/**
 * Static types of the language; `any` is checked at run time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ExprType } from "./ast.ts";
 * const t: ExprType = "int";
 * assert.ok(t === "int");
 * ```
 */
export type ExprType = "str" | "int" | "float" | "bool" | "null" | "list" | "any";

/**
 * The status function that governs whether a step may run after a failure or a cancel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Status } from "./ast.ts";
 * const s: Status = "always";
 * assert.ok(s === "always");
 * ```
 */
export type Status = "success" | "failure" | "always" | "cancelled";

/**
 * The four status functions, in the order their names are suggested.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { STATUS_FUNCTIONS } from "./ast.ts";
 * assert.ok(STATUS_FUNCTIONS.includes("always"));
 * ```
 */
export const STATUS_FUNCTIONS = ["success", "failure", "always", "cancelled"] as const;

/**
 * A status function's name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StatusFunction } from "./ast.ts";
 * const f: StatusFunction = "failure";
 * assert.ok(f === "failure");
 * ```
 */
export type StatusFunction = typeof STATUS_FUNCTIONS[number];

/**
 * Where an expression's first character sits in its source file (1-based line and column).
 * Error columns are `col` + the offset inside the expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Where } from "./ast.ts";
 * const where: Where = { file: "flows/video.petal", line: 12, col: 9 };
 * assert.ok(where.col === 9);
 * ```
 */
export interface Where {
  file: string;
  line: number;
  col: number;
}

/**
 * Version of the language, recorded in each lock's execution contract.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPR_LANG_VERSION } from "./ast.ts";
 * assert.ok(EXPR_LANG_VERSION === "lily-expr/1");
 * ```
 */
export const EXPR_LANG_VERSION = "lily-expr/1";

/**
 * Longest expression accepted, in UTF-16 code units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_LENGTH } from "./ast.ts";
 * assert.ok(MAX_LENGTH === 4096);
 * ```
 */
export const MAX_LENGTH = 4096;

/**
 * Deepest nesting of parentheses, lists and `!` (each counts one level).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_DEPTH } from "./ast.ts";
 * assert.ok(MAX_DEPTH === 64);
 * ```
 */
export const MAX_DEPTH = 64;
