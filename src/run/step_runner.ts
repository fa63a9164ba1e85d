/**
 * One step, from ready to done: its condition, its inputs, the cache decision (a hit restores
 * the outputs and ends the step), its policy and adapter, its attempts, and on success the
 * cache entry. Every way out ends the step's record with one event.
 * @module
 */
import type { Entry } from "../cache/store.ts";
import type { RunEvent } from "../schema/events.ts";
import { bindInputs } from "./bind_inputs.ts";
import { type CacheDecision, decideCache, missDecision } from "./cache_decision.ts";
import type { RunContext } from "./context.ts";
import { runAttempts } from "./attempt.ts";
import { finishStep, type StepRecord, type StepTable } from "./records.ts";

/** The bind context of a run, for steps scheduled in `table`. */
export function bindContextOf(ctx: RunContext, table: StepTable) {
  return {
    lock: ctx.lock,
    projectRoot: ctx.root,
    resolveSecret: async (
      name: string,
      marker: Parameters<NonNullable<RunContext["options"]["resolveSecret"]>>[1],
    ) =>
      ctx.options.resolveSecret
        ? await ctx.options.resolveSecret(name, marker)
        : ctx.secrets.get(name),
    producer: (id: string) => table.get(id) ?? ctx.records.steps.get(id),
    replayOnly: ctx.options.kindOptions?.cassettes === "none",
  };
}

/** The cache context of a run. */
export function cacheContextOf(ctx: RunContext) {
  return {
    lock: ctx.lock,
    cache: ctx.cache,
    stepIndex: ctx.book.stepIndex,
    forced: ctx.forced,
    from: ctx.options.from,
  };
}

/** Runs `r` (its needs all done) to its end. */
export async function runStep(ctx: RunContext, r: StepRecord, table: StepTable): Promise<void> {
  const { events, cache, options } = ctx;
  const step = r.step;
  const t0 = performance.now();
  const finish = (state: Parameters<typeof finishStep>[2], fields: Partial<RunEvent> = {}) =>
    finishStep(events, r, state, fields);
  const condition = ctx.conditions.check(r, table);
  if ("skip" in condition) return finish("skipped", { reason: condition.skip });
  if ("fail" in condition) return finish("failed", { reason: condition.fail });
  const bound = await bindInputs(r, bindContextOf(ctx, table));
  if ("skip" in bound) return finish("skipped", { reason: bound.skip });
  if ("fail" in bound) return finish("failed", { reason: bound.fail });

  // Cache.
  let decision: CacheDecision = decideCache(step, bound.values, cacheContextOf(ctx));
  if (decision.decision !== "disabled") {
    r.manifest.cache.key = decision.key;
    ctx.book.usedKeys.push(decision.key);
  }
  if (decision.decision === "hit") {
    const problem = await cache.restore(decision.entry, ctx.root);
    if (!problem) {
      const entry = decision.entry;
      r.outputs = entry.outputs;
      r.manifest.outputs = entry.outputs;
      r.manifest.cache.decision = "hit";
      r.manifest.cache.reason = `entry from ${entry.created}`;
      r.manifest.duration_ms = performance.now() - t0;
      return finish("cached", { key: decision.key, reason: r.manifest.cache.reason });
    }
    events.emit("cache.warning", {
      step: step.id,
      key: decision.key,
      reason: `corrupt entry removed: ${problem}; running the step again`,
    });
    decision = missDecision(step, decision, cacheContextOf(ctx));
  } else if (decision.decision === "miss" && decision.corrupt) {
    cache.remove(decision.key);
    events.emit("cache.warning", {
      step: step.id,
      key: decision.key,
      reason: `corrupt entry removed: ${decision.corrupt}; running the step again`,
    });
  }
  if (decision.decision === "miss") {
    r.manifest.cache.decision = "miss";
    r.manifest.cache.reason = decision.reason;
    events.emit("step.cache_miss", {
      step: step.id,
      key: decision.key,
      reason: decision.reason,
      changed: decision.changed,
    });
  } else {
    r.manifest.cache.decision = "disabled";
    r.manifest.cache.reason = decision.reason;
  }

  // Execute, with retries.
  const policy = ctx.policies.of(step);
  if ((options.isolation ?? "auto") === "strict" && !policy.os.record.enforced) {
    return finish("failed", {
      reason:
        `--isolation strict: network ${policy.os.record.network} cannot be enforced on this machine (${Deno.build.os}); run without --isolation strict to run it unenforced`,
    });
  }
  const adapter = await ctx.adapters.for(step);
  const success = await runAttempts(ctx, r, { adapter, policy, bound, startedAt: t0 });
  if (!success) return;
  const key = decision.decision === "miss" ? decision.key : null;
  const storing = step.cache.policy === "auto" || step.cache.policy === "write-only";
  for (const reason of key && storing ? success.noCache : []) {
    events.emit("cache.warning", { step: step.id, key: key!, reason: `${reason}; not cached` });
  }
  if (key && decision.decision === "miss" && storing && !success.noCache.length) {
    const entry: Entry = {
      key,
      step: step.id,
      created: new Date().toISOString(),
      outputs: r.outputs,
    };
    try {
      await cache.store(entry, ctx.root);
      ctx.book.newIndex[step.id] = { key, parts: decision.parts, at: entry.created };
    } catch (error) {
      events.emit("cache.warning", {
        step: step.id,
        key,
        reason: `could not store the entry: ${(error as Error).message}`,
      });
    }
  }
  finish("succeeded", { exit_code: success.exitCode, attempt: success.attempt });
}
