/**
 * `diff` of locks with included steps: which fragment each inlined step came from (from either
 * lock's `provenance.includes`), shown beside its id. Only locks with includes get the field.
 * @module
 */
import type { LockFile } from "../schema/lock.ts";
import { includeOf } from "./includes.ts";

/**
 * `{included_from}` for a diff of `a` and `b`: each inlined step of either lock → its fragment
 * (the new lock's when both have it); nothing when neither lock has includes.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { includedFrom } from "./include_diff.ts";
 * const lock = (includes?: Record<string, string>) =>
 *   ({ provenance: { includes }, plan: { steps: [{ id: "n.post" }], on_error: [] } }) as never;
 * assert(includedFrom(lock({ n: "n.petal" }), lock()).included_from?.["n.post"] === "n.petal");
 * assert(includedFrom(lock(), lock()).included_from === undefined);
 * ```
 */
export function includedFrom(
  a: LockFile,
  b: LockFile,
): { included_from?: Record<string, string> } {
  if (!a.provenance.includes && !b.provenance.includes) return {};
  const out: Record<string, string> = {};
  for (const lock of [a, b]) {
    for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
      const from = includeOf(lock, step.id);
      if (from) out[step.id] = from.fragment;
    }
  }
  return { included_from: out };
}

/** A step id as `diff` lists it: `notify.post  (from fragments/notify.petal)` when included. */
export function withFragment(
  diff: { included_from?: Record<string, string> },
  id: string,
): string {
  const fragment = diff.included_from?.[id];
  return fragment ? `${id}  (from ${fragment})` : id;
}
