/**
 * `lily run --dry-run`: what would run and what the cache would answer, one line per
 * selected step, from the same input binding and cache decision as a run
 * (bind_inputs.ts, cache_decision.ts). Runs nothing, restores and stores nothing. A step
 * whose inputs come from a step that would run is said to run after it (its key depends on
 * outputs not produced yet).
 * @module
 */
import { type BindContext, bindInputs } from "./bind_inputs.ts";
import { type CacheContext, decideCache } from "./cache_decision.ts";
import type { LockFile } from "../schema/lock.ts";
import type { StepTable } from "./records.ts";

/** What a dry run reads. */
export interface DryRunContext {
  lock: Pick<LockFile, "plan">;
  /** The main steps' records (a cached step's outputs feed its dependants' keys). */
  records: StepTable;
  bind: BindContext;
  cache: CacheContext;
  /** The selected steps (`--only`). */
  selected: ReadonlySet<string>;
}

/** The dry run's lines, in lock order. */
export async function dryRun(context: DryRunContext): Promise<string[]> {
  const { lock, records, selected } = context;
  const lines: string[] = [];
  const willRun = new Set<string>();
  for (const step of lock.plan.steps) {
    if (!selected.has(step.id)) continue;
    const r = records.get(step.id)!;
    const upstreamRuns = Object.values(step.inputs).map((io) =>
      /^steps\.([^.]+)\./.exec(io.from ?? "")?.[1]
    ).filter((id) => id && willRun.has(id));
    if (upstreamRuns.length) {
      willRun.add(step.id);
      lines.push(
        `${step.id}: would run after ${upstreamRuns.join(", ")} (its key depends on their outputs)`,
      );
      continue;
    }
    if (step.cache.policy === "never") {
      willRun.add(step.id);
      lines.push(`${step.id}: would run (cache policy never)`);
      continue;
    }
    const bound = await bindInputs(r, context.bind);
    if (!("values" in bound)) {
      willRun.add(step.id);
      lines.push(`${step.id}: would run (${"skip" in bound ? bound.skip : bound.fail})`);
      continue;
    }
    const decision = decideCache(step, bound.values, context.cache);
    if (decision.decision === "hit") {
      r.state = "cached";
      r.outputs = decision.entry.outputs;
      lines.push(`${step.id}: cached (${decision.key.slice(0, 12)})`);
    } else {
      willRun.add(step.id);
      lines.push(`${step.id}: would run (${decision.decision === "miss" ? decision.brief : ""})`);
    }
  }
  return lines;
}
