/**
 * The values of a workflow's `outputs:` at the end of a run, for its manifest: each output's
 * source (`steps.<id>.outputs.<name>`) and what that step output held (value, or file path
 * and digest); null when the step did not produce it (skipped, failed, not selected).
 * @module
 */
import type { ManifestStep } from "../schema/events.ts";
import type { LockFile } from "../schema/lock.ts";

/** A workflow output's record in the manifest. */
export type WorkflowOutputValue = {
  from: string;
  type: string;
  value?: unknown;
  path?: string;
  sha256?: string;
} | null;

/** The manifest's `outputs`, from the lock's plan and each step's recorded outputs. */
export function workflowOutputValues(
  lock: LockFile,
  outputsOf: (step: string) => ManifestStep["outputs"] | undefined,
): Record<string, WorkflowOutputValue> {
  const values: Record<string, WorkflowOutputValue> = {};
  for (const entry of lock.plan.outputs) {
    for (const [name, decl] of Object.entries(entry)) {
      const { from, type } = decl as { from?: unknown; type?: unknown };
      const ref = typeof from === "string" ? /^steps\.(.+)\.outputs\.([^.]+)$/.exec(from) : null;
      const got = ref ? outputsOf(ref[1])?.[ref[2]] : undefined;
      if (!ref || !got) {
        values[name] = null;
        continue;
      }
      values[name] = {
        from: from as string,
        type: typeof type === "string" ? type : got.type,
        ...(got.value !== undefined ? { value: got.value } : {}),
        ...(got.path !== undefined ? { path: got.path } : {}),
        ...(got.sha256 !== undefined ? { sha256: got.sha256 } : {}),
      };
    }
  }
  return values;
}
