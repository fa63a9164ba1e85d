/**
 * Step selection: which steps `--only` runs (the named steps and everything they need) and
 * which `--from` re-runs (the named step and everything after it). A name that is not a
 * step is a user error with a did-you-mean, raised before the run leaves any trace.
 * @module
 */
import { didYouMean, LilyError, LilyErrors } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import { expandIncludeIds } from "./select_include.ts";

/** The steps of a lock, as selection reads them. */
export type SelectPlan = Pick<LockFile, "plan">;

function unknownStep(flag: string, id: string, all: string[], lock?: SelectPlan): LilyError {
  // `count@a.txt` of a foreach whose items come at run time: no such step in the lock yet.
  const foreach = id.includes("@")
    ? lock?.plan.steps.find((s) => s.id === id.slice(0, id.indexOf("@")) && s.uses === "foreach")
    : undefined;
  const rule = foreach?.with as { rule?: unknown; source?: string } | undefined;
  if (foreach && rule?.rule) {
    return new LilyError(
      flag === "--only" ? "LILY-E0801" : "LILY-E0802",
      `${flag} names \`${id}\`, an item of foreach \`${foreach.id}\`, whose items exist only at run time`,
      {
        flag: `${flag} ${id}`,
        hint:
          `its items come from \`${rule.source}\` when the run gets there: \`${flag} ${foreach.id}\` runs them all`,
      },
    );
  }
  const guess = didYouMean(id, all);
  return new LilyError(
    flag === "--only" ? "LILY-E0801" : "LILY-E0802",
    `${flag} names \`${id}\`, which is not a step of this lock`,
    {
      flag: `${flag} ${id}`,
      hint: `${guess ? `did you mean \`${guess}\`? ` : ""}steps: ${all.slice(0, 12).join(", ")}${
        all.length > 12 ? ", …" : ""
      }`,
    },
  );
}

/**
 * The steps a run executes: all of them, or with `--only` the named ones and their needs,
 * transitively. Every unknown name is reported (E0801).
 *
 * @example
 * ```ts
 * import { selectSteps } from "./select.ts";
 * const lock = { plan: { steps: [{ id: "a", needs: [] }, { id: "b", needs: ["a"] }, { id: "c", needs: [] }] } };
 * // deno-lint-ignore no-explicit-any
 * const picked = selectSteps(lock as any, ["b"]);
 * if ([...picked].sort().join() !== "a,b") throw new Error("b needs a");
 * ```
 */
export function selectSteps(lock: SelectPlan, only: string[] | undefined): Set<string> {
  const all = new Set(lock.plan.steps.map((s) => s.id));
  if (!only || only.length === 0) return all;
  const byId = new Map(lock.plan.steps.map((s) => [s.id, s]));
  only = expandIncludeIds(only, all); // `--only notify`: the steps an include inlined
  const out = new Set<string>();
  const stack = [...only];
  const unknown = only.filter((id) => !byId.has(id));
  if (unknown.length === 1) throw unknownStep("--only", unknown[0], [...all], lock);
  if (unknown.length > 1) {
    throw new LilyErrors(unknown.map((id) => unknownStep("--only", id, [...all], lock)));
  }
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  return out;
}

/**
 * The steps `--from <id>` re-runs whatever the cache holds: `from` and every step that needs
 * it, transitively. An unknown name is E0802.
 */
export function stepsFrom(lock: SelectPlan, from: string): Set<string> {
  if (!lock.plan.steps.some((s) => s.id === from)) {
    throw unknownStep("--from", from, lock.plan.steps.map((s) => s.id), lock);
  }
  const out = new Set([from]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of lock.plan.steps) {
      if (!out.has(s.id) && s.needs.some((n) => out.has(n))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}
