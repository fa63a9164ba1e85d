/**
 * The scheduler: starts each step of a DAG as soon as every need is done, at most `jobs` at
 * once, in the order steps become ready (ties in table order). It knows nothing about what a
 * step does; the hooks decide whether a ready step may start (fail-fast, cancel), run it and
 * hear when it is done. A need outside the scheduled set counts as done.
 * @module
 */

/** A node of the DAG: an id and the ids it needs. */
export interface ScheduledStep {
  id: string;
  needs: readonly string[];
}

/** What the scheduler calls. */
export interface ScheduleHooks {
  /** Steps running at once (at least 1). */
  jobs: number;
  /** A step's needs are all done. */
  onQueued?(id: string): void;
  /** Whether a ready step may start; when not, `skip` ends it instead. */
  mayStart(id: string): boolean;
  /** Ends a ready step that may not start (records why). */
  skip(id: string): void;
  /** Runs a step; a rejection ends the step too (`onError` records it). */
  run(id: string): Promise<void>;
  /** `run` rejected (an internal error). */
  onError?(id: string, error: unknown): void;
  /** A step ended (ran, or was skipped), before its dependants are queued. */
  onDone?(id: string): void;
  /**
   * Called when a step may start: steps to add to the DAG first (a foreach over a list known
   * only now). The step then waits for them and is offered again once they are done; `ended`
   * means the hook ended the step itself. Undefined or empty: the step runs now.
   */
  expand?(id: string): ScheduledStep[] | "ended" | undefined;
  /** A group of steps that may not run more than `max` at once (a foreach's `max_parallel`). */
  limit?(id: string): { group: string; max: number } | undefined;
}

/**
 * Runs `steps` in dependency order under `hooks`.
 *
 * @example
 * ```ts
 * import { schedule } from "./scheduler.ts";
 * const order: string[] = [];
 * await schedule([{ id: "b", needs: ["a"] }, { id: "a", needs: [] }], {
 *   jobs: 2,
 *   mayStart: () => true,
 *   skip: () => {},
 *   run: async (id) => { order.push(id); },
 * });
 * if (order.join() !== "a,b") throw new Error("a before b");
 * ```
 */
export async function schedule(
  steps: Iterable<ScheduledStep>,
  hooks: ScheduleHooks,
): Promise<void> {
  const jobs = Math.max(1, hooks.jobs);
  const all = [...steps];
  const ids = new Set(all.map((s) => s.id));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of all) {
    const needs = s.needs.filter((n) => ids.has(n));
    waiting.set(s.id, needs.length);
    for (const n of needs) dependents.set(n, [...(dependents.get(n) ?? []), s.id]);
  }
  const ready: string[] = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
  for (const id of ready) hooks.onQueued?.(id);
  const active = new Set<Promise<void>>();
  const finished = new Set<string>();
  const busy = new Map<string, number>();
  const done = (id: string) => {
    finished.add(id);
    hooks.onDone?.(id);
    for (const child of dependents.get(id) ?? []) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) {
        ready.push(child);
        hooks.onQueued?.(child);
      }
    }
  };
  // New steps from `expand`: `parent` waits for all of them.
  const grow = (parent: string, added: ScheduledStep[]) => {
    for (const s of added) ids.add(s.id);
    waiting.set(parent, added.length);
    for (const s of added) {
      const needs = s.needs.filter((n) => ids.has(n) && !finished.has(n));
      waiting.set(s.id, needs.length);
      for (const n of needs) dependents.set(n, [...(dependents.get(n) ?? []), s.id]);
      dependents.set(s.id, [...(dependents.get(s.id) ?? []), parent]);
    }
    for (const s of added) {
      if (waiting.get(s.id) === 0) {
        ready.push(s.id);
        hooks.onQueued?.(s.id);
      }
    }
  };
  const fits = (id: string) => {
    const limit = hooks.limit!(id);
    return !limit || (busy.get(limit.group) ?? 0) < limit.max;
  };
  while (ready.length || active.size) {
    while (ready.length && active.size < jobs) {
      const at = hooks.limit ? ready.findIndex(fits) : 0;
      if (at < 0) break;
      const [id] = ready.splice(at, 1);
      if (!hooks.mayStart(id)) {
        hooks.skip(id);
        done(id);
        continue;
      }
      const added = hooks.expand?.(id);
      if (added === "ended") {
        done(id);
        continue;
      }
      if (added?.length) {
        grow(id, added);
        continue;
      }
      const group = hooks.limit?.(id)?.group;
      if (group !== undefined) busy.set(group, (busy.get(group) ?? 0) + 1);
      const p: Promise<void> = hooks.run(id).catch((error) => {
        hooks.onError?.(id, error);
      }).finally(() => {
        active.delete(p);
        if (group !== undefined) busy.set(group, busy.get(group)! - 1);
        done(id);
      });
      active.add(p);
    }
    if (active.size) await Promise.race(active);
  }
}
