/**
 * Where a lock's inlined steps came from: `provenance.includes` maps each include's id (the
 * prefix of its steps' ids, `notify` → `notify.post`) to its fragment. `explain` and `diff` read
 * it to show included steps under their prefix, with their fragment. Reads the lock only.
 * @module
 */
import type { LockFile } from "../schema/lock.ts";

/**
 * The include a step was inlined by (the longest prefix that is an include id) and its
 * fragment, or undefined for a step written in the workflow itself.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { includeOf } from "./includes.ts";
 * const provenance = { includes: { n: "n.petal", "n.inner": "inner.petal" } };
 * assert(includeOf({ provenance }, "n.inner.x")?.fragment === "inner.petal");
 * assert(includeOf({ provenance }, "n.post")?.prefix === "n");
 * assert(includeOf({ provenance }, "build") === undefined);
 * ```
 */
export function includeOf(
  lock: { provenance: Pick<LockFile["provenance"], "includes"> },
  id: string,
): { prefix: string; fragment: string } | undefined {
  const includes = lock.provenance.includes ?? {};
  let best: string | undefined;
  for (const prefix of Object.keys(includes)) {
    if (id.startsWith(`${prefix}.`) && (best === undefined || prefix.length > best.length)) {
      best = prefix;
    }
  }
  return best === undefined ? undefined : { prefix: best, fragment: includes[best] };
}

/**
 * The `includes` section of `explain`: each include, its fragment, and the steps it inlined
 * (directly; a nested include has its own line).
 */
export function includeLines(lock: LockFile): string[] {
  const includes = lock.provenance.includes ?? {};
  const steps = [...lock.plan.steps, ...lock.plan.on_error].map((s) => s.id);
  return Object.keys(includes).sort().map((prefix) => {
    const own = steps.filter((id) => includeOf(lock, id)?.prefix === prefix).sort();
    return `  ${prefix} ← ${includes[prefix]}${own.length ? `  (${own.join(", ")})` : ""}`;
  });
}
