/**
 * The permission set of a step, from the lock's env_policy and the step's resources. The
 * host adapter does not enforce it (it records it); the sandbox adapter does.
 * @module
 */
import { resolve } from "node:path";
import type { PermissionSet } from "../../adapters/types.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";

/** The permissions a step's policy grants. */
export function permissionsFor(lock: LockFile, step: LockStep, projectRoot: string): PermissionSet {
  const pins = lock.registry_pins.binaries;
  return {
    run: step.resources.binaries.map((b) => pins[b]?.path ?? b).sort(),
    read: lock.env_policy.read_roots.map((r) => resolve(projectRoot, r)),
    write: lock.env_policy.write_roots.map((r) => resolve(projectRoot, r)),
    net: step.resources.network,
    env: [...step.resources.env],
  };
}
