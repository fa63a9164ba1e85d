/**
 * The engine's side of foreach (steps/foreach.ts): which sub-steps belong to which foreach
 * (for `max_parallel` and `fail_fast`), and the expansion of a foreach whose items are known
 * only at run time — when its collector may start, its list's producer has finished: one
 * sub-step per item is added to the run's table and to the scheduler (scheduler.ts `expand`),
 * the collector then waits for them. The expansion is recorded as a `foreach.expanded` event
 * and in the collector's manifest entry (`foreach: {source, keys}`). A run whose lock has no
 * foreach never creates this object.
 * @module
 */
import type { LockFile, LockStep } from "../schema/lock.ts";
import { collectorInput, type CollectorWith, subStep, subStepId } from "../steps/foreach.ts";
import { badKey, keyOf, missingField, parseKeyTemplate } from "../steps/foreach_keys.ts";
import type { EventLog } from "./events.ts";
import { finishStep, newRecord, type StepRecord, type StepTable } from "./records.ts";
import type { RunState } from "./run_state.ts";
import type { ScheduledStep } from "./scheduler.ts";

interface Group {
  max: number | null;
  failFast: boolean;
  subs: Set<string>;
  /** The first item that failed, once one has. */
  failed?: string;
}

/** What the foreach side of a run needs. */
export interface ForeachRunContext {
  table: StepTable;
  events: EventLog;
  state: RunState;
  /** The run's selected steps: run-time sub-steps join it. */
  selected: Set<string>;
}

/** True when `lock` has a foreach step (the engine then creates a {@linkcode ForeachRun}). */
export function hasForeach(lock: Pick<LockFile, "plan">): boolean {
  return lock.plan.steps.some((s) => s.uses === "foreach");
}

/** The foreach steps of one run. */
export class ForeachRun {
  readonly #ctx: ForeachRunContext;
  readonly #groups = new Map<string, Group>();
  readonly #groupOf = new Map<string, string>();
  readonly #expanded = new Set<string>();
  /** A step outside every foreach failed. */
  #otherFailure = false;

  constructor(steps: Iterable<LockStep>, context: ForeachRunContext) {
    this.#ctx = context;
    for (const step of steps) {
      if (step.uses !== "foreach") continue;
      const w = step.with as unknown as CollectorWith;
      this.#groups.set(step.id, {
        max: w.max_parallel ?? null,
        failFast: w.fail_fast ?? false,
        subs: new Set(),
      });
      for (const key of w.keys ?? []) this.#join(step.id, subStepId(step.id, key));
    }
  }

  #join(group: string, sub: string): void {
    this.#groups.get(group)!.subs.add(sub);
    this.#groupOf.set(sub, group);
  }

  /** Whether some foreach limits its sub-steps (the scheduler then asks {@linkcode limit}). */
  get limits(): boolean {
    return [...this.#groups.values()].some((g) => g.max !== null);
  }

  /** The `max_parallel` group of a step, if it has one. */
  limit(id: string): { group: string; max: number } | undefined {
    const group = this.#groupOf.get(id);
    const max = group === undefined ? null : this.#groups.get(group)!.max;
    return max === null ? undefined : { group: group!, max };
  }

  /**
   * Whether a failure elsewhere spares `r`: an item of a `fail_fast: false` foreach keeps
   * running while every failure of the run is one of its own foreach's items.
   */
  spares(r: StepRecord): boolean {
    const group = this.#groupOf.get(r.step.id);
    if (group === undefined || this.#otherFailure) return false;
    const g = this.#groups.get(group)!;
    if (g.failFast) return false;
    for (const [name, other] of this.#groups) {
      if (name !== group && other.failed !== undefined) return false;
    }
    return true;
  }

  /** Why a ready step may not start because an item of its foreach failed (fail_fast). */
  stopped(id: string): string | undefined {
    const group = this.#groupOf.get(id);
    const g = group === undefined ? undefined : this.#groups.get(group)!;
    if (!g?.failFast || g.failed === undefined) return undefined;
    return `item \`${g.failed}\` of foreach \`${group}\` failed (fail_fast)`;
  }

  /** Takes a finished step into account: a failed item of a fail_fast foreach cancels the rest. */
  stepDone(r: StepRecord): void {
    if (r.state !== "failed" || r.onError) return;
    const group = this.#groupOf.get(r.step.id);
    if (group === undefined) {
      this.#otherFailure = true;
      return;
    }
    const g = this.#groups.get(group)!;
    if (g.failed !== undefined) return;
    g.failed = r.step.id;
    if (!g.failFast) return;
    const why = this.stopped(r.step.id)!;
    for (const [id, { controller }] of this.#ctx.state.running) {
      if (g.subs.has(id)) controller.abort(why);
    }
  }

  /**
   * The sub-steps of foreach `id` when its items are known only now (its rule in the lock),
   * added to the run's table; `ended` when the expansion failed the collector (a bad or
   * repeated key). Undefined for any other step, or when the list is missing: the collector
   * then runs and its input binding says why (the producer failed, was skipped…).
   */
  expand(id: string): ScheduledStep[] | "ended" | undefined {
    const { table, events, selected } = this.#ctx;
    const r = table.get(id);
    if (!r || r.step.uses !== "foreach" || this.#expanded.has(id)) return undefined;
    const w = r.step.with as unknown as CollectorWith;
    if (!w.rule) return undefined;
    this.#expanded.add(id);
    const from = r.step.inputs.items?.from ?? "";
    const ref = /^steps\.(.+)\.outputs\.([^.]+)$/.exec(from);
    const producer = ref ? table.get(ref[1]) : undefined;
    const produced = ref ? producer?.outputs[ref[2]] : undefined;
    if (!producer || !["succeeded", "cached"].includes(producer.state) || !produced) {
      return undefined;
    }
    const items = produced.value;
    if (!Array.isArray(items)) {
      finishStep(events, r, "failed", {
        reason: `\`items: ${from}\` is not a list: ${JSON.stringify(items)?.slice(0, 80)}`,
      });
      return "ended";
    }
    const template = parseKeyTemplate(w.rule.key);
    if ("error" in template) {
      finishStep(events, r, "failed", { reason: `bad key template: ${template.error}` });
      return "ended";
    }
    const keys: string[] = [];
    const seen = new Map<string, number>();
    for (const [i, item] of items.entries()) {
      const key = keyOf(template, item, i);
      const bad = badKey(key);
      const missing = missingField(template, item);
      const reason = missing !== undefined
        ? `item ${i} has no field \`${missing}\` (the key is \`${w.rule.key}\`)`
        : bad
        ? `item ${i} has the key \`${key}\`, which ${bad}`
        : seen.has(key)
        ? `items ${seen.get(key)} and ${i} have the same key \`${key}\``
        : undefined;
      if (reason) {
        finishStep(events, r, "failed", { reason: `\`items: ${from}\`: ${reason}` });
        return "ended";
      }
      seen.set(key, i);
      keys.push(key);
    }
    const subs = items.map((item, i) =>
      subStep(w.rule!.step, { id: subStepId(id, keys[i]), item, level: r.step.level })
    );
    const inputs = { ...r.step.inputs };
    for (const [i, sub] of subs.entries()) {
      table.set(sub.id, newRecord(sub, false));
      selected.add(sub.id);
      this.#join(id, sub.id);
      for (const [name, io] of Object.entries(sub.outputs)) {
        inputs[collectorInput(name, i)] = {
          type: io.type,
          required: false,
          from: `steps.${sub.id}.outputs.${name}`,
        };
      }
    }
    r.step = {
      ...r.step,
      needs: [...r.step.needs, ...subs.map((s) => s.id)],
      inputs,
      with: { ...r.step.with, keys },
    };
    (r.manifest as { foreach?: unknown }).foreach = { source: w.source, keys };
    events.emit("foreach.expanded", {
      step: id,
      reason: `${keys.length} item(s) from ${from}`,
      keys,
    });
    return subs.map((s) => ({ id: s.id, needs: s.needs }));
  }
}
