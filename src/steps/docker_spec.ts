/**
 * How a lock step with `adapter: docker` becomes work for the docker adapter: the image (its
 * pinned digest from `registry_pins.images`, else the reference as written) and the command
 * inside it. A `shell` step's `with.run` runs under the image's `/bin/sh -e -c` (not Lily's
 * shell: the programs are the image's); a `python` step runs Lily's python runner with the
 * image's `python3` (typed inputs, the `lily` module and the audit hook, as on the host); a
 * `tool` step runs the argv compose built from its declaration in adapters/docker.yaml.
 * @module
 */
import type { ExecSpec } from "../sandbox/execute.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { pythonSpec } from "./python.ts";

/** The image a docker step runs: its pinned digest when the lock has one. */
export function pinnedImage(
  step: Pick<LockStep, "with">,
  lock?: Pick<LockFile, "registry_pins">,
): string {
  const ref = String(step.with.image ?? "");
  const digest = lock?.registry_pins.images[ref];
  return digest ? digest : ref;
}

/** The spec of a docker step: `image` and the `argv` run in it. */
export function dockerSpec(
  step: LockStep,
  context: Omit<ExecSpec, "script" | "argv">,
  lock?: Pick<LockFile, "registry_pins">,
): ExecSpec {
  const image = pinnedImage(step, lock);
  if (step.uses === "python") {
    const inner = pythonSpec(step, { ...context, binaries: {} }, lock);
    const python = String(step.with.python ?? "python3");
    return { ...inner, image, argv: [python, ...inner.argv!.slice(1)] };
  }
  if (step.uses === "tool") {
    // The argv compose built from the tool's declaration: its binary in the image (or the
    // image's entrypoint when the declaration names none), no shell.
    return { ...context, image, argv: ((step.with.argv as unknown[]) ?? []).map(String) };
  }
  return { ...context, image, argv: ["/bin/sh", "-e", "-c", String(step.with.run ?? "")] };
}
