/**
 * The seam between the scheduler and whatever executes a step. Adapters know nothing about
 * the DAG, the cache or events; the scheduler knows nothing about how a step runs.
 * (Owned by the run engine; the sandbox implements the same interface.)
 * @module
 */
import type { LockStep } from "../src/schema/lock.ts";

/** What a step may do, derived from the lock's env_policy and the step's resources. */
export interface PermissionSet {
  /** Programs the step may start: absolute, pinned paths. Empty = only shell built-ins. */
  run: string[];
  /** Absolute directories (or files) the step may read. */
  read: string[];
  /** Absolute directories the step may write. */
  write: string[];
  /** false = no network; true = any; a list = only these hosts (host or host:port). */
  net: boolean | string[];
  /** Host environment variable names the step may see (values passed explicitly). */
  env: string[];
}

/** One attempt of one step. */
export interface StepRequest {
  step: LockStep;
  /** Absolute project root; the step's cwd is this unless the step says otherwise. */
  projectRoot: string;
  cwd: string;
  /** The complete environment of the process (nothing is inherited). */
  env: Record<string, string>;
  permissions: PermissionSet;
  /** Pinned absolute paths of the binaries the step may start, by name. */
  pins?: Record<string, string>;
  /** A command that wraps the step's own (OS isolation, e.g. `unshare -rn --`). */
  wrapper?: string[];
  /**
   * Receives the attempt's stdout and stderr as they arrive; the engine writes them to the
   * attempt's log (masking secrets). The adapter awaits each write (back-pressure: memory
   * stays bounded however much a step prints).
   */
  write(chunk: Uint8Array, stream: "stdout" | "stderr"): Promise<void>;
  /** Aborted on timeout or cancellation: the adapter kills the whole process tree. */
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL when the signal aborts, in ms. */
  graceMs: number;
}

/** What an attempt ended with. */
export interface StepResult {
  /** Process exit code; null when killed by a signal or never started. */
  exitCode: number | null;
  /** Name of the signal that ended it, if any. */
  signal: string | null;
  durationMs: number;
  /** Set when the adapter refused or failed to start the step (denied permission, missing binary). */
  error?: { code: string; message: string; hint?: string };
  /** The isolation actually in force for this attempt (recorded in the manifest). */
  enforcement?: Record<string, unknown>;
  /** Process metrics the adapter could measure (max RSS in KiB, CPU ms…). */
  metrics?: Record<string, number>;
}

/** Executes steps of some kinds. */
export interface Adapter {
  readonly name: string;
  run(request: StepRequest): Promise<StepResult>;
  /** Releases pooled resources (worker processes). */
  close?(): Promise<void>;
}
