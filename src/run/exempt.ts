/**
 * Which steps still run while a run stops: under fail-fast (`--continue never`) and after a
 * cancel (Ctrl-C), a step runs on only when its condition can be true in that situation — the
 * `if.status` the lock records (docs/expressions.md). Decides nothing else.
 * @module
 */
import type { Status } from "../expr/mod.ts";

/** The situation of a run that is stopping. */
export interface Stopping {
  /** A step failed under `--continue never`. */
  failingFast: boolean;
  /** The run was cancelled (Ctrl-C). */
  cancelled: boolean;
}

/**
 * Whether a step with condition status `status` (undefined: no `if:`) may start or keep
 * running. `on_error` steps exist for a failing run, so fail-fast never stops them; a cancel
 * stops every step but those whose condition holds while cancelled (`always()`,
 * `cancelled()`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { mayRun } from "./exempt.ts";
 * assertEquals(mayRun("always", { failingFast: true, cancelled: false }), true);
 * assertEquals(mayRun("failure", { failingFast: true, cancelled: false }), true);
 * assertEquals(mayRun(undefined, { failingFast: true, cancelled: false }), false);
 * assertEquals(mayRun("cancelled", { failingFast: false, cancelled: true }), true);
 * assertEquals(mayRun("failure", { failingFast: true, cancelled: true }), false);
 * ```
 */
export function mayRun(
  status: Status | undefined,
  stopping: Stopping,
  options: { onError?: boolean } = {},
): boolean {
  if (stopping.cancelled) return status === "always" || status === "cancelled";
  if (stopping.failingFast) {
    return !!options.onError || status === "always" || status === "failure";
  }
  return true;
}
