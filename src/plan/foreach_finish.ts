/**
 * The last touch of plan on foreach steps (compose/foreach.ts expanded them): each sub-step
 * gets its item (`$LILY_INPUT_ITEM` and the `item` component of its cache key, steps/foreach.ts
 * `subStep`), and a foreach over a list known only at run time takes its resolved inner step
 * (planned as `<id>@*`) out of the plan into its collector's `with.rule.step`, for the engine.
 * @module
 */
import type { LockStep } from "../schema/lock.ts";
import type { ForeachInfo } from "../compose/foreach.ts";
import { subStep } from "../steps/foreach.ts";
import { cacheKeyOf } from "./cache_key.ts";
import type { Plan } from "./types.ts";

/** Finishes the foreach steps of `plan` in place; `rcSalt` is `.lilyrc`'s `cache.salt`. */
export function finishForeach(plan: Plan, foreach: ForeachInfo[], rcSalt = ""): void {
  const index = new Map(plan.steps.map((s, i) => [s.id, i]));
  const drop = new Set<string>();
  for (const info of foreach) {
    for (const { id, item } of info.subs ?? []) {
      const i = index.get(id);
      if (i === undefined) continue; // compose refused the step (its error is reported)
      plan.steps[i] = subStep(plan.steps[i], { id, item, level: plan.steps[i].level });
    }
    if (info.templateId === undefined) continue;
    const template = plan.steps[index.get(info.templateId)!];
    const collector = plan.steps[index.get(info.id)!];
    const { id: _id, level: _level, ...rule } = template;
    collector.with.rule = { key: info.key ?? "{{ index }}", step: rule };
    const { cache, level: _l, ...partial } = collector;
    const fresh = cacheKeyOf(partial, cache.policy, [rcSalt, ""].join("\u0000"));
    collector.cache = cache.refs ? { ...fresh, refs: cache.refs } : fresh;
    drop.add(info.templateId);
  }
  if (!drop.size) return;
  plan.steps = plan.steps.filter((s: LockStep) => !drop.has(s.id));
  plan.levels = plan.levels.map((level) => level.filter((id) => !drop.has(id)));
}
