/**
 * Evaluates a compiled condition at run time: no parsing, strict types (a run-time type error
 * is a LilyError that fails the step), and the implied `success()`. Reads values only through
 * the context; never renders or executes anything.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { Ast, Status } from "./ast.ts";

/**
 * Run-time values and the state of the run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EvalContext } from "./evaluate.ts";
 * const ctx: EvalContext = {
 *   lookup: (path) => path.join(".") === "params.n" ? 3 : undefined,
 *   status: { dependencyFailed: false, cancelled: false },
 * };
 * assert.ok(ctx.lookup(["params", "n"]) === 3);
 * ```
 */
export interface EvalContext {
  /** The value of a name (`undefined` reads as `null`). */
  lookup(path: readonly string[]): unknown;
  /**
   * Over the step's transitive needs / the run. A skipped dependency is not a failure:
   * skips propagate through data (inputs from a skipped step's outputs), not through status.
   */
  status: { dependencyFailed: boolean; cancelled: boolean };
}

/**
 * True when the step should run. With status `success` (no status function used),
 * `success()` is ANDed in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateCondition } from "./evaluate.ts";
 * const compiled = {
 *   ast: { op: ">" as const, l: { ref: ["params", "n"] }, r: { lit: 2 } },
 *   status: "success" as const,
 * };
 * const ctx = { lookup: () => 3, status: { dependencyFailed: false, cancelled: false } };
 * assert.ok(evaluateCondition(compiled, ctx) === true);
 * assert.ok(
 *   evaluateCondition(compiled, { ...ctx, status: { dependencyFailed: true, cancelled: false } }) ===
 *     false,
 * );
 * ```
 */
export function evaluateCondition(
  compiled: { ast: Ast; status: Status },
  ctx: EvalContext,
): boolean {
  if (compiled.status === "success" && (ctx.status.dependencyFailed || ctx.status.cancelled)) {
    // success() is false, so the conjunction is; the rest need not (and must not) be evaluated.
    return false;
  }
  let value: unknown;
  try {
    value = evaluate(compiled.ast, ctx);
  } catch (error) {
    // A lock is data: a hand-edited, absurdly deep AST must fail the step, not crash the run.
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw malformed("it nests too deeply");
    }
    throw error;
  }
  if (typeof value !== "boolean") {
    throw typeError(`the condition gave ${kind(value)}, not a boolean`);
  }
  return value;
}

/**
 * Evaluates any node to its value (for tests and `explain`). Throws a LilyError on a run-time
 * type error or a node that is not part of the language.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate } from "./evaluate.ts";
 * const ctx = { lookup: () => null, status: { dependencyFailed: false, cancelled: false } };
 * assert.ok(evaluate({ op: "in", l: { lit: "b" }, r: { lit: "abc" } }, ctx) === true);
 * ```
 */
export function evaluate(ast: Ast, ctx: EvalContext): unknown {
  if (typeof ast !== "object" || ast === null) throw malformed(`a node is ${kind(ast)}`);
  switch ((ast as { op?: unknown }).op) {
    case undefined:
      break;
    case "!":
      return !bool(evaluate((ast as { a: Ast }).a, ctx), "!");
    case "&&": {
      const node = ast as { l: Ast; r: Ast };
      return bool(evaluate(node.l, ctx), "&&") && bool(evaluate(node.r, ctx), "&&");
    }
    case "||": {
      const node = ast as { l: Ast; r: Ast };
      return bool(evaluate(node.l, ctx), "||") || bool(evaluate(node.r, ctx), "||");
    }
    case "==":
    case "!=": {
      const node = ast as { op: string; l: Ast; r: Ast };
      return equal(evaluate(node.l, ctx), evaluate(node.r, ctx)) === (node.op === "==");
    }
    case "in": {
      const node = ast as { l: Ast; r: Ast };
      return contains(evaluate(node.l, ctx), evaluate(node.r, ctx));
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const node = ast as { op: string; l: Ast; r: Ast };
      return order(node.op, evaluate(node.l, ctx), evaluate(node.r, ctx));
    }
    default:
      throw malformed(`unknown operator ${JSON.stringify((ast as { op: unknown }).op)}`);
  }
  if ("ref" in ast && Array.isArray(ast.ref)) return ctx.lookup(ast.ref) ?? null;
  if ("lit" in ast) return ast.lit;
  if ("call" in ast) {
    const { dependencyFailed, cancelled } = ctx.status;
    switch (ast.call) {
      case "success":
        return !dependencyFailed && !cancelled;
      case "failure":
        return dependencyFailed;
      case "cancelled":
        return cancelled;
      case "always":
        return true;
    }
    throw malformed(`unknown function ${JSON.stringify(ast.call)}`);
  }
  if ("list" in ast && Array.isArray(ast.list)) return ast.list.map((item) => evaluate(item, ctx));
  throw malformed("a node has no known shape");
}

function bool(value: unknown, op: string): boolean {
  if (typeof value !== "boolean") throw typeError(`\`${op}\` needs booleans; got ${kind(value)}`);
  return value;
}

function contains(item: unknown, container: unknown): boolean {
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (typeof container === "string" && typeof item === "string") return container.includes(item);
  throw typeError(
    `\`in\` needs a list on its right, or strings on both sides; got ${kind(item)} in ${
      kind(container)
    }`,
  );
}

function order(op: string, l: unknown, r: unknown): boolean {
  const bothNumbers = typeof l === "number" && typeof r === "number";
  const bothStrings = typeof l === "string" && typeof r === "string";
  if (!bothNumbers && !bothStrings) {
    throw typeError(`\`${op}\` orders two numbers or two strings; got ${kind(l)} and ${kind(r)}`);
  }
  const a = l as number | string, b = r as number | string;
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    default:
      return a >= b;
  }
}

/**
 * Strict equality: values of different types are never equal (`3 == "3"` is false); integers
 * and floats are both numbers and compare numerically; lists and maps compare deeply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { equal } from "./evaluate.ts";
 * assert.ok(equal(3, 3.0) && !equal(3, "3") && equal([1, ["a"]], [1, ["a"]]));
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((x, i) => equal(x, other[i]));
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length &&
    ka.every((k, i) =>
      k === kb[i] && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  // Strings are not quoted: run-time values may be sensitive, and messages are persisted.
  if (typeof value === "string") return "a string";
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${value}`;
  return typeof value === "object" ? "a map" : `a ${typeof value}`;
}

function typeError(message: string): LilyError {
  return new LilyError("LILY-E0512", `condition: ${message}`, {
    hint: "declare the output's `type:` so the condition can be checked at compose time",
  });
}

function malformed(why: string): LilyError {
  return new LilyError("LILY-E0515", `the lock's compiled condition is malformed: ${why}`, {
    hint: "recompose the lock with `lily compose`; do not edit compiled conditions by hand",
  });
}
