/**
 * A step's `if:` at run time: the values it reads (params, vars, env, upstream outputs) and
 * the status of its dependencies (`success()`, `failure()`, `cancelled()`); without `if:`,
 * a failed dependency skips the step. Whether a dependency failed is computed once per step.
 * @module
 */
import { type Ast, evaluateCondition, type Status } from "../expr/mod.ts";
import { LilyError } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import type { RunState } from "./run_state.ts";
import type { StepRecord, StepTable } from "./records.ts";

/** What a condition reads. */
export interface ConditionContext {
  lock: Pick<LockFile, "params" | "vars">;
  state: Pick<RunState, "failing" | "cancelled">;
  getHostEnv: (name: string) => string | undefined;
  /** A step's record by id when it is not in the table being scheduled (the main steps). */
  fallback(id: string): StepRecord | undefined;
}

/** Whether a step runs: yes, skipped (with why) or failed (the condition could not be evaluated). */
export type ConditionOutcome = { run: true } | { skip: string } | { fail: string };

/** The conditions of one run (memoizes each step's upstream failure). */
export class Conditions {
  #upstreamFailed = new Map<string, boolean>();
  #params: Record<string, unknown> = {};
  #context: ConditionContext;

  constructor(context: ConditionContext) {
    this.#context = context;
    for (const [name, p] of Object.entries(context.lock.params)) {
      if (!("secret" in p)) this.#params[name] = p.value;
    }
  }

  /** Whether `r` (in `table`, its needs all done) runs. */
  check(r: StepRecord, table: StepTable): ConditionOutcome {
    const step = r.step;
    if (step.if) {
      let ok: boolean;
      try {
        ok = evaluateCondition(step.if as { ast: Ast; status: Status }, {
          lookup: (p) => this.#lookup(p, r, table),
          status: this.#status(r, table),
        });
      } catch (error) {
        return { fail: error instanceof LilyError ? error.message : String(error) };
      }
      return ok ? { run: true } : { skip: `condition \`${step.if.source}\` is false` };
    }
    const status = this.#status(r, table);
    if (status.dependencyFailed && !r.onError) return { skip: "a dependency failed" };
    return { run: true };
  }

  // Whether some step upstream failed, computed once per step from its needs (all done).
  #status(r: StepRecord, table: StepTable) {
    let failed = this.#upstreamFailed.get(r.step.id);
    if (failed === undefined) {
      failed = r.step.needs.some((id) => {
        const dep = table.get(id);
        return !!dep &&
          (dep.state === "failed" || dep.state === "cancelled" ||
            this.#upstreamFailed.get(id) === true);
      });
      this.#upstreamFailed.set(r.step.id, failed);
    }
    const { failing, cancelled } = this.#context.state;
    return { dependencyFailed: failed || (r.onError && failing), cancelled };
  }

  #lookup(path: readonly string[], r: StepRecord, table: StepTable): unknown {
    const [root0, a, b, c] = path;
    // Own names only: a lock's `params.constructor` must not read Object.prototype's.
    const own = <T>(o: Record<string, T> | undefined, k: string) =>
      o && Object.hasOwn(o, k) ? o[k] : undefined;
    if (root0 === "params") return own(this.#params, a);
    if (root0 === "vars") return own(this.#context.lock.vars, a);
    if (root0 === "env") return own(r.step.env, a) ?? this.#context.getHostEnv(a);
    if (root0 === "steps" && b === "outputs") {
      const out = own((table.get(a) ?? this.#context.fallback(a))?.outputs, c);
      return out?.value ?? out?.path ?? null;
    }
    return null;
  }
}
