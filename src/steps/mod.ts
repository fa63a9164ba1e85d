/**
 * The step kinds this version runs (`uses:`), one object per kind in its own file
 * (shell.ts, process.ts; python.ts's and tool.ts's spec builders), registered in `EXECUTORS` — the single
 * table compose, plan and the lock reader read (support.ts). The engine turns a lock step
 * into an executor spec through it (sandbox/execute.ts); the step's environment, binaries and
 * roots come from the engine. docs/extending.md shows how to add a kind.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { ExecSpec } from "../sandbox/execute.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { dockerSpec } from "./docker_spec.ts";
import { foreachKind } from "./foreach.ts";
import type { SpecBuilder, SpecContext, StepKind } from "./kind.ts";
import { humanKind } from "./human.ts";
import { includeKind } from "./include.ts";
import { llmKind } from "./llm.ts";
import { processKind } from "./process.ts";
import { pythonSpec } from "./python.ts";
import { shellKind } from "./shell.ts";
import { toolSpec } from "./tool.ts";

export type { KindCheckContext, SpecBuilder, SpecContext, StepKind } from "./kind.ts";
export { SHELL_FLAGS, shellOf } from "./shell.ts";

/**
 * The step kinds this version runs: a kind object (kind.ts), or for a kind with nothing to
 * check at compose time, its spec builder alone. A new kind registers here with one line;
 * compose accepts exactly these kinds (steps/support.ts reads this table).
 */
export const EXECUTORS: Partial<Record<LockStep["uses"], StepKind | SpecBuilder>> = {
  shell: shellKind,
  process: processKind,
  python: pythonSpec,
  tool: toolSpec,
  llm: llmKind,
  foreach: foreachKind,
  include: includeKind,
  human: humanKind,
};

/**
 * The kind object registered for `uses` (a bare spec builder is wrapped), or undefined when
 * this version does not run that kind.
 *
 * @example
 * ```ts
 * import { stepKind } from "./mod.ts";
 * if (stepKind("shell")?.kind !== "shell" || stepKind("python")?.check) throw new Error("kinds");
 * if (stepKind("teleport") !== undefined) throw new Error("no such kind");
 * ```
 */
export function stepKind(uses: string): StepKind | undefined {
  if (!Object.hasOwn(EXECUTORS, uses)) return undefined;
  const entry = EXECUTORS[uses as LockStep["uses"]];
  if (entry === undefined) return undefined;
  return typeof entry === "function" ? { kind: uses as LockStep["uses"], build: entry } : entry;
}

/** The spec that runs `step`. */
export function execSpecFor(
  step: LockStep,
  context: SpecContext,
  lock?: Pick<LockFile, "registry_pins">,
): ExecSpec {
  // A docker step runs its script or argv in its image (docker_spec.ts), whatever its kind.
  if (step.adapter === "docker") return dockerSpec(step, context, lock);
  const kind = stepKind(step.uses);
  if (kind) return kind.build(step, context, lock);
  // Compose and the lock reader refuse these first (steps/support.ts); this is the last guard.
  throw new LilyError(
    "LILY-E0210",
    `step \`${step.id}\`: \`uses: ${step.uses}\` is not implemented yet in this version of Lily`,
    { hint: "compose the workflow again with this version of Lily" },
  );
}
