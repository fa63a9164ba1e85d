/**
 * The permission set of a step, from the lock's env_policy and the step's resources: the
 * pinned programs it may start, the roots it may read and write (plus the run's scratch
 * directory, where its `$LILY_OUTPUT` and `$TMPDIR` are), never Lily's own `.lily/`.
 * @module
 */
import { join, resolve } from "node:path";
import type { PermissionSet } from "../../adapters/types.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";

/** The permissions a step's policy grants. */
export function permissionsFor(
  lock: LockFile,
  step: LockStep,
  projectRoot: string,
  scratch: string,
): PermissionSet {
  const pins = lock.registry_pins.binaries;
  return {
    // A project tool's pin is relative to the project root (the lock is the same everywhere).
    run: step.resources.binaries.map((b) => pins[b] ? resolve(projectRoot, pins[b].path) : b)
      .sort(),
    read: [...lock.env_policy.read_roots.map((r) => resolve(projectRoot, r)), scratch],
    write: [...lock.env_policy.write_roots.map((r) => resolve(projectRoot, r)), scratch],
    deny: [join(projectRoot, ".lily")],
    net: step.resources.network,
    env: [...step.resources.env],
  };
}
