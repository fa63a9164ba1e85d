/**
 * `uses: foreach` (and its multi-axis form `matrix`): one sub-step `<id>@<key>` per item. Compose
 * expands items it knows into ordinary lock steps (compose/foreach.ts); the foreach step `<id>`
 * stays in the lock as the **collector**: it needs every sub-step and outputs, per output of the
 * inner step, the list of the items' values in item order. Its runner is the kind runner
 * `adapters/foreach.ts` (in Lily's process: it starts nothing). Items known only at run time
 * leave a rule in the collector's `with` (`rule.step`, the resolved inner step), which the
 * engine expands when the list's producer has finished (src/run/foreach_expand.ts). This file
 * holds what both sides share: the lock shape of a collector and how a sub-step is made from
 * the inner step and one item. docs/foreach.md.
 * @module
 */
import type { LockStep } from "../schema/lock.ts";
import { digestOf } from "../util/canonical_json.ts";
import { itemText } from "./foreach_keys.ts";
import type { StepKind } from "./kind.ts";

/** A collector's `with:` in the lock. */
export interface CollectorWith {
  /** Where the items came from: `list`, `matrix`, `params.x`, `vars.x`, `steps.x.outputs.y`. */
  source: string;
  /** The items' keys, in item order (compose-time items; absent for a run-time rule). */
  keys?: string[];
  /** At most this many sub-steps of this foreach run at once (null: the run's `-j`). */
  max_parallel: number | null;
  /** One failed item cancels the other items of this foreach. */
  fail_fast: boolean;
  /** Items known at run time: the key template and the resolved inner step. */
  rule?: { key: string; step: Omit<LockStep, "id" | "level"> };
}

/** The collector input that carries output `output` of the item at `index`. */
export function collectorInput(output: string, index: number): string {
  return `${output}__${index}`;
}

/** The id of the sub-step of foreach `id` for `key`. */
export function subStepId(id: string, key: string): string {
  return `${id}@${key}`;
}

/**
 * The sub-step of one item: the inner step under its own id, `$LILY_INPUT_ITEM` in its
 * environment, and the item in its cache key (a component `item`: adding an item runs one new
 * sub-step, every other key stays). Used by compose and by the engine for run-time items, so
 * the same item gets the same key either way.
 *
 * @example
 * ```ts
 * import { subStep } from "./foreach.ts";
 * const innerConst = {
 *   id: "t", uses: "shell", adapter: "process", level: 0, needs: [], if: null, timeout_ms: null,
 *   retries: { max: 0, backoff_ms: 0, max_backoff_ms: 0, jitter: false }, env: {}, inputs: {},
 *   outputs: {}, resources: { network: false, binaries: [], env: [] }, with: { run: "true" },
 *   cache: { formula: "f", policy: "auto", static: "sha256:" + "0".repeat(64), components: {},
 *     inputs: [], pins: [] },
 * } as const;
 * // deno-lint-ignore no-explicit-any
 * const inner: any = innerConst;
 * const a = subStep(inner, { id: "t@a", item: "a" });
 * const b = subStep(inner, { id: "t@b", item: "b" });
 * if (a.env.LILY_INPUT_ITEM !== "a" || a.cache.static === b.cache.static) throw new Error("item");
 * ```
 */
export function subStep(
  inner: Omit<LockStep, "id" | "level"> & { level?: number },
  at: { id: string; item: unknown; level?: number },
): LockStep {
  const text = itemText(at.item);
  const itemDigest = digestOf(text);
  return {
    ...inner,
    id: at.id,
    level: at.level ?? inner.level ?? 0,
    env: { ...inner.env, LILY_INPUT_ITEM: text },
    cache: {
      ...inner.cache,
      static: digestOf({ static: inner.cache.static, item: itemDigest }),
      components: { ...inner.cache.components, item: itemDigest.slice(7, 23) },
    },
  } as LockStep;
}

/**
 * The `foreach` kind. Its lock step is the collector, run by the kind runner
 * adapters/foreach.ts; `build` gives that runner an empty script (it starts nothing).
 */
export const foreachKind: StepKind = {
  kind: "foreach",
  withSchema: {
    type: "object",
    required: ["step"],
    properties: {
      items: {
        description: "A list, or `params.x`, `vars.x`, `steps.<id>.outputs.<name>` (a json list)",
        anyOf: [{ type: "array" }, { type: "string" }],
      },
      matrix: {
        type: "object",
        description: "Axes (lists), with `include` and `exclude` as in GitHub Actions",
      },
      key: { type: "string", description: "`{{ item }}`, `{{ item.f }}`, `{{ index }}` and text" },
      max_parallel: { type: "integer", minimum: 1 },
      fail_fast: { type: "boolean" },
      step: { type: "object", description: "The inner step (a step without `id`)" },
    },
  },
  build(_step, context) {
    return { ...context, script: "" };
  },
};
