/**
 * How each kind of step runs: the lock's step turned into an executor spec (sandbox/execute.ts).
 * `shell` steps run their script in Lily's shell, or with `with.shell` in an allowed shell
 * program (`sh -e -c`, `bash -eo pipefail -c`); `process` steps run `with.argv` with no
 * shell; `python` steps run their code in the pinned interpreter (python.ts); `tool` steps run
 * the argv compose built from a declared tool (tool.ts). The step's environment, binaries and roots come from the engine.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { ExecSpec } from "../sandbox/execute.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { dockerSpec } from "./docker_spec.ts";
import { pythonSpec } from "./python.ts";
import { toolSpec } from "./tool.ts";

/** The resolved context of an attempt, from the engine. */
export type SpecContext = Omit<ExecSpec, "script" | "argv">;

/** The shell programs `with.shell` may name, and the flags that make them fail fast. */
export const SHELL_FLAGS: Record<string, string[]> = {
  sh: ["-e", "-c"],
  dash: ["-e", "-c"],
  bash: ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"],
  zsh: ["--no-rcs", "-e", "-o", "pipefail", "-c"],
  busybox: ["sh", "-e", "-c"],
};

/** The name of the shell a `shell` step runs in: `lily` (Lily's shell) or a program. */
export function shellOf(step: Pick<LockStep, "with">): string {
  const shell = step.with.shell;
  return typeof shell === "string" && shell !== "" ? shell : "lily";
}

/** Turns a lock step of one kind into what the executor runs. */
type SpecBuilder = (
  step: LockStep,
  context: SpecContext,
  lock?: Pick<LockFile, "registry_pins">,
) => ExecSpec;

/**
 * The step kinds this version runs, each with its spec builder. A new kind registers here;
 * compose accepts exactly these kinds (steps/support.ts reads this table).
 */
export const EXECUTORS: Partial<Record<LockStep["uses"], SpecBuilder>> = {
  shell(step, context) {
    const run = String(step.with.run ?? "");
    const shell = shellOf(step);
    if (shell === "lily") return { ...context, script: run };
    const base = shell.split(/[\\/]/).pop()!.replace(/\.exe$/i, "");
    return { ...context, argv: [shell, ...(SHELL_FLAGS[base] ?? ["-c"]), run] };
  },
  process(step, context) {
    return { ...context, argv: (step.with.argv as unknown[]).map(String) };
  },
  python: pythonSpec,
  tool: toolSpec,
};

/** The spec that runs `step`. */
export function execSpecFor(
  step: LockStep,
  context: SpecContext,
  lock?: Pick<LockFile, "registry_pins">,
): ExecSpec {
  if (step.adapter === "docker") return dockerSpec(step, context, lock);
  const build = EXECUTORS[step.uses];
  if (build) return build(step, context, lock);
  // Compose and the lock reader refuse these first (steps/support.ts); this is the last guard.
  throw new LilyError(
    "LILY-E0210",
    `step \`${step.id}\`: \`uses: ${step.uses}\` is not implemented yet in this version of Lily`,
    { hint: "compose the workflow again with this version of Lily" },
  );
}
