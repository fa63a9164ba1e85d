/**
 * A step's policy, from the lock to what enforces it: the permission set (the lock's
 * env_policy and the step's resources), the file system view a host gets, and the OS
 * isolation for that view. Steps with the same resources share one policy object (adapters
 * key their hosts by it; the manifest writes it once). Knows nothing about runs or adapters.
 * @module
 */
import { join, resolve } from "node:path";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { type IsolationMode, type OsIsolation, osIsolation } from "./isolation.ts";
import { pinMounts } from "./pins.ts";
import { hostSupportPaths, lilyStateDirs, programSupportPaths } from "./support.ts";

/** What a step may do, derived from the lock's env_policy and the step's resources. */
export interface PermissionSet {
  /** Programs the step may start: absolute, pinned paths. Empty = only shell built-ins. */
  run: string[];
  /** Absolute directories (or files) the step may read. */
  read: string[];
  /** Absolute directories the step may write. */
  write: string[];
  /** Inside the read and write roots, but refused (Lily's own `.lily/`). */
  deny: string[];
  /** false = no network; true = any; a list = only these hosts (host or host:port). */
  net: boolean | string[];
  /** Host environment variable names the step may see (values passed explicitly). */
  env: string[];
}

/**
 * The permissions a step's policy grants: the pinned programs it may start, the roots it may
 * read and write (plus the run's scratch directory, where its `$LILY_OUTPUT` and `$TMPDIR`
 * are), never Lily's own `.lily/`.
 */
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

/** One distinct policy of a run. */
export interface StepPolicy {
  /** `p1`, `p2`…: how the manifest and events name it. */
  id: string;
  permissions: PermissionSet;
  os: OsIsolation;
  /** Programs by the name a script uses → pinned path. */
  binaries: Record<string, string>;
}

/** What {@linkcode StepPolicies} needs from the run. */
export interface PolicyOptions {
  lock: LockFile;
  projectRoot: string;
  /** The run's scratch directory (outputs, TMPDIR). */
  scratch: string;
  isolation: IsolationMode;
  getHostEnv: (name: string) => string | undefined;
  /** Replaces {@linkcode permissionsFor} (a test seam). */
  permissionsFor?: typeof permissionsFor;
}

/**
 * The policies of one run, one object per distinct `resources` (memoized).
 *
 * @example
 * ```ts
 * import { StepPolicies } from "./policy.ts";
 * import type { LockFile, LockStep } from "../schema/lock.ts";
 * const lock = {
 *   env_policy: { read_roots: ["."], write_roots: ["out"] },
 *   registry_pins: { binaries: {} },
 * } as unknown as LockFile;
 * const step = { resources: { network: false, binaries: [], env: [] } } as unknown as LockStep;
 * const policies = new StepPolicies({
 *   lock, projectRoot: "/p", scratch: "/tmp/s", isolation: "none", getHostEnv: () => undefined,
 * });
 * if (policies.of(step) !== policies.of({ ...step })) throw new Error("one object per policy");
 * if (policies.of(step).id !== "p1") throw new Error("named p1");
 * ```
 */
export class StepPolicies {
  #byResources = new Map<string, StepPolicy>();
  #options: PolicyOptions;

  constructor(options: PolicyOptions) {
    this.#options = options;
  }

  /** The policy of `step`. */
  of(step: LockStep): StepPolicy {
    const key = JSON.stringify(step.resources);
    let policy = this.#byResources.get(key);
    if (!policy) {
      policy = this.#build(step, `p${this.#byResources.size + 1}`);
      this.#byResources.set(key, policy);
    }
    return policy;
  }

  #build(step: LockStep, id: string): StepPolicy {
    const { lock, projectRoot: root, scratch, getHostEnv } = this.#options;
    const permissions = (this.#options.permissionsFor ?? permissionsFor)(lock, step, root, scratch);
    const view = {
      read: permissions.read,
      write: permissions.write,
      // Lily's state (`.lily/`, the user cache) and the pins are held by mounts (linux.ts).
      hide: [...permissions.deny, ...lilyStateDirs()],
      pins: pinMounts(lock.registry_pins.binaries, {
        projectRoot: root,
        scratch,
        writable: permissions.write,
      }),
      scratch,
      support: [
        ...hostSupportPaths(),
        ...programSupportPaths(permissions.run, getHostEnv("HOME")),
      ],
      home: getHostEnv("HOME"),
    };
    const os = osIsolation(step.resources.network, this.#options.isolation, view);
    const binaries: Record<string, string> = {};
    for (const b of step.resources.binaries) {
      const pin = lock.registry_pins.binaries[b];
      if (pin) binaries[b] = resolve(root, pin.path);
    }
    return { permissions, os, id, binaries };
  }
}
