/**
 * One file, one writer: two step outputs (of any step kind — a `path:` the step declares, or a
 * tool's output argument) naming the same path would race at run time and leave the manifest
 * and the cache recording one step's file as the other's. Compose refuses it (LILY-E0957),
 * at the second declaration, naming both steps.
 * @module
 */
import { posix } from "node:path";
import { LilyError } from "../errors.ts";
import type { Petal } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";

/** The raw value at `path` (to locate an output where the author wrote it). */
function has(raw: unknown, path: readonly (string | number)[]): boolean {
  let at = raw;
  for (const key of path) {
    if (at === null || typeof at !== "object") return false;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at !== undefined;
}

/** The same path however it was written (`./work/a.mp4`, `work//a.mp4`, `work/a.mp4/`). */
function normalized(path: string): string {
  return posix.normalize(path).replace(/\/+$/, "");
}

/**
 * Every pair of outputs of `petal` (its `steps` and `on_error` steps, tool steps already
 * rewritten by compose) that write the same path, as located errors.
 */
export function outputPathErrors(petal: Petal, raw: unknown): LilyError[] {
  const errors: LilyError[] = [];
  const first = new Map<
    string,
    { step: string; output: string; at: ReturnType<typeof lazyLocate> }
  >();
  for (const list of ["steps", "on_error"] as const) {
    for (const [index, step] of (petal[list] ?? []).entries()) {
      for (const [name, io] of Object.entries(step.outputs ?? {})) {
        if (io.path === undefined) continue;
        // A tool's output argument is written under `with.args`; a declared output under `outputs`.
        const path = has(raw, [list, index, "outputs", name, "path"])
          ? [list, index, "outputs", name, "path"]
          : has(raw, [list, index, "with", "args", name])
          ? [list, index, "with", "args", name]
          : [list, index, "id"];
        const at = lazyLocate(raw, path);
        const key = normalized(io.path);
        const before = first.get(key);
        if (!before) {
          first.set(key, { step: step.id, output: name, at });
          continue;
        }
        const other = before.step === step.id
          ? `its output \`${before.output}\``
          : `step \`${before.step}\` (output \`${before.output}\`)`;
        errors.push(
          new LilyError(
            "LILY-E0957",
            `step \`${step.id}\` (output \`${name}\`) writes \`${io.path}\`, which ${other} writes too`,
            {
              span: at,
              label: "a second writer of this file",
              notes: [{ span: before.at, message: `\`${before.step}\` writes it here` }],
              hint:
                "give each output its own path (one file has one writer; a later step reads the earlier one's file through `from:`)",
            },
          ),
        );
      }
    }
  }
  return errors;
}
