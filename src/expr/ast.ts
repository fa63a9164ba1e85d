/**
 * The compiled form of an `if:` condition: plain JSON, stored in the lock and evaluated by
 * `run` without parsing.
 * @module
 */

/** A node of a compiled expression. */
export type Ast =
  | { lit: string | number | boolean | null }
  | { list: Ast[] }
  | { ref: string[] }
  | { call: "success" | "failure" | "always" | "cancelled" }
  | { op: "!"; a: Ast }
  | { op: "&&" | "||" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in"; l: Ast; r: Ast };

/** Static types of the language (`any` is checked at run time). */
export type ExprType = "str" | "int" | "float" | "bool" | "null" | "list" | "any";

/** The status function that governs when a step may run. */
export type Status = "success" | "failure" | "always" | "cancelled";

/** Version of the language, recorded in each lock's execution contract. */
export const EXPR_LANG_VERSION = "lily-expr/1";
