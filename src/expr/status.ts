/**
 * Which status a condition has: the situations (a failed dependency, a cancelled run) in which
 * it can still be true. Decided from the status functions alone, data treated as unknown.
 * @module
 */
import type { Ast, Status, StatusFunction } from "./ast.ts";

/** One situation a step can meet: a dependency failed, the run is being cancelled. */
interface Situation {
  dependencyFailed: boolean;
  cancelled: boolean;
}

const FAILED: Situation = { dependencyFailed: true, cancelled: false };
const CANCELLED: Situation = { dependencyFailed: false, cancelled: true };
const BOTH: Situation = { dependencyFailed: true, cancelled: true };

/** Three-valued truth: known false, known true, or depends on data. */
type Truth = false | true | "unknown";

/**
 * The status of a condition that calls `calls`. With no status function it is `success`
 * (and `success()` is implied). Otherwise it follows from the situations in which the
 * expression can be true, reading every name as unknown:
 * - after a failed dependency and also while the run is cancelled → `always`;
 * - after a failed dependency only → `failure`;
 * - while the run is cancelled only (or only when both happen) → `cancelled`;
 * - in neither → `success`.
 *
 * So `always()` → always, `failure()` → failure, `cancelled()` → cancelled,
 * `always() && !cancelled()` → failure, `!success()` → always, `success() && x` → success.
 * A `success` status makes the evaluator AND in `success()`; for an expression that uses
 * status functions that changes nothing, since it cannot be true after a failure or a cancel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusOf } from "./status.ts";
 * const ast = { op: "&&" as const, l: { call: "always" as const }, r: { op: "!" as const, a: { call: "cancelled" as const } } };
 * assert.ok(statusOf(ast, new Set(["always", "cancelled"])) === "failure");
 * ```
 */
export function statusOf(ast: Ast, calls: ReadonlySet<StatusFunction>): Status {
  if (calls.size === 0) return "success";
  const afterFailure = truth(ast, FAILED) !== false;
  const whileCancelled = truth(ast, CANCELLED) !== false;
  if (afterFailure && whileCancelled) return "always";
  if (afterFailure) return "failure";
  if (whileCancelled || truth(ast, BOTH) !== false) return "cancelled";
  return "success";
}

function truth(ast: Ast, s: Situation): Truth {
  if ("lit" in ast) return typeof ast.lit === "boolean" ? ast.lit : "unknown";
  if ("call" in ast) {
    switch (ast.call) {
      case "success":
        return !s.dependencyFailed && !s.cancelled;
      case "failure":
        return s.dependencyFailed;
      case "cancelled":
        return s.cancelled;
      case "always":
        return true;
    }
  }
  if ("list" in ast || "ref" in ast) return "unknown";
  if (ast.op === "!") {
    const a = truth(ast.a, s);
    return a === "unknown" ? a : !a;
  }
  if (ast.op === "&&" || ast.op === "||") {
    const l = truth(ast.l, s);
    const r = truth(ast.r, s);
    const absorbing = ast.op === "||";
    if (l === absorbing || r === absorbing) return absorbing;
    return l === "unknown" || r === "unknown" ? "unknown" : !absorbing;
  }
  if (ast.op === "==" || ast.op === "!=") {
    // Known truths are booleans; anything else (a number, a name) depends on data.
    const l = truth(ast.l, s);
    const r = truth(ast.r, s);
    if (l === "unknown" || r === "unknown") return "unknown";
    return (l === r) === (ast.op === "==");
  }
  return "unknown";
}
