/**
 * Evaluates a compiled condition at run time: no parsing, strict types (a run-time type error
 * is a LilyError that fails the step), and the implied `success()`.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { Ast, Status } from "./ast.ts";

/** Run-time values and the state of the run. */
export interface EvalContext {
  lookup(path: readonly string[]): unknown;
  /** Over the step's transitive needs / the run. A skipped dependency is not a failure. */
  status: { dependencyFailed: boolean; cancelled: boolean };
}

/**
 * True when the step should run.
 *
 * @example
 * ```ts
 * import { evaluateCondition } from "./evaluate.ts";
 * const ok = evaluateCondition({ ast: { op: ">", l: { ref: ["params", "n"] }, r: { lit: 2 } }, status: "success" }, {
 *   lookup: () => 3,
 *   status: { dependencyFailed: false, cancelled: false },
 * });
 * console.assert(ok === true);
 * ```
 */
export function evaluateCondition(
  compiled: { ast: Ast; status: Status },
  ctx: EvalContext,
): boolean {
  const value = evaluate(compiled.ast, ctx);
  if (typeof value !== "boolean") {
    throw typeError(`the condition gave ${kind(value)}, not a boolean`);
  }
  if (compiled.status === "success") {
    return value && !ctx.status.dependencyFailed && !ctx.status.cancelled;
  }
  return value;
}

/** Evaluates any node (exported for tests and `explain`). */
export function evaluate(ast: Ast, ctx: EvalContext): unknown {
  if ("lit" in ast) return ast.lit;
  if ("list" in ast) return ast.list.map((item) => evaluate(item, ctx));
  if ("ref" in ast) return ctx.lookup(ast.ref) ?? null;
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
  }
  if (ast.op === "!") return !bool(evaluate(ast.a, ctx), "!");
  if (ast.op === "&&") return bool(evaluate(ast.l, ctx), "&&") && bool(evaluate(ast.r, ctx), "&&");
  if (ast.op === "||") return bool(evaluate(ast.l, ctx), "||") || bool(evaluate(ast.r, ctx), "||");
  const l = evaluate(ast.l, ctx);
  const r = evaluate(ast.r, ctx);
  switch (ast.op) {
    case "==":
      return equal(l, r);
    case "!=":
      return !equal(l, r);
    case "in":
      if (Array.isArray(r)) return r.some((item) => equal(item, l));
      if (typeof r === "string" && typeof l === "string") return r.includes(l);
      throw typeError(
        `\`in\` needs a list, or strings on both sides; got ${kind(l)} in ${kind(r)}`,
      );
    default: {
      const ordered = (typeof l === "number" && typeof r === "number") ||
        (typeof l === "string" && typeof r === "string");
      if (!ordered) {
        throw typeError(`\`${ast.op}\` compares numbers or strings; got ${kind(l)} and ${kind(r)}`);
      }
      const a = l as number | string, b = r as number | string;
      return ast.op === "<" ? a < b : ast.op === "<=" ? a <= b : ast.op === ">" ? a > b : a >= b;
    }
  }
}

function bool(value: unknown, op: string): boolean {
  if (typeof value !== "boolean") throw typeError(`\`${op}\` needs booleans; got ${kind(value)}`);
  return value;
}

/** Strict equality: values of different types are never equal; lists and maps compare deeply. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => equal(x, bb[i]));
  }
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length &&
    ka.every((k, i) =>
      k === kb[i] && equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    );
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a map" : `${typeof value} ${JSON.stringify(value)}`;
}

function typeError(message: string): LilyError {
  return new LilyError("LILY-E0512", `condition: ${message}`, {
    hint: "declare the output's `type:` so the condition can be checked at compose time",
  });
}
