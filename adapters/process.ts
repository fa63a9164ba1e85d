/**
 * The host process adapter (`lily run --isolation none`): runs a step in the engine's own
 * process — Lily's shell in-process, programs started directly — with no Deno permission
 * layer and no OS isolation. The step's policy still decides which programs it may start and
 * what its built-ins may touch (the shell checks it), so a workflow behaves the same in both
 * adapters; only the enforcement by Deno and the OS is missing, and the manifest says so.
 * A timeout or cancel signals the whole process tree (TERM, grace, KILL).
 * @module
 */
import { execute, resultOf } from "../src/sandbox/execute.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** Creates the host process adapter. */
export function processAdapter(): Adapter {
  return {
    name: "process",
    async run(request: StepRequest): Promise<StepResult> {
      const outcome = await execute(
        request.spec,
        {
          stdout: { write: (chunk) => request.write(chunk, "stdout") },
          stderr: { write: (chunk) => request.write(chunk, "stderr") },
        },
        request.signal,
        { killTrees: true },
      );
      return {
        ...resultOf(outcome),
        enforcement: {
          sandbox: "none",
          deno_permissions: false,
          tree_kill: Deno.build.os === "linux" ? "proc" : "child-only",
        },
      };
    },
  };
}
