/**
 * The seam between the scheduler and whatever executes a step. Adapters know nothing about
 * the DAG, the cache or events; the scheduler knows nothing about how a step runs.
 * The host process adapter (`process.ts`, `--isolation none`) and the sandbox adapter
 * (`sandbox.ts`, the default) implement it. Adapters may import `src/sandbox/` (policy,
 * executor, hosts); `src/sandbox/` never imports this folder (docs/extending.md).
 * @module
 */
import type { ManifestStep, RunEvent } from "../src/schema/events.ts";
import type { LockStep } from "../src/schema/lock.ts";
import type { ExecSpec } from "../src/sandbox/execute.ts";
import type { OsIsolation } from "../src/sandbox/isolation.ts";
import type { PermissionSet } from "../src/sandbox/policy.ts";

export type { PermissionSet };

/** One attempt of one step. */
export interface StepRequest {
  step: LockStep;
  /** What to execute, fully resolved (command, environment, binaries, roots). */
  spec: ExecSpec;
  permissions: PermissionSet;
  /** The OS isolation for this step's network policy (a command prefix for its host). */
  os: OsIsolation;
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
  /** Set when the step could not start (a syntax error, a missing program, a host failure). */
  error?: { code: string; message: string; hint?: string };
  /** Set when the step tried something its policy does not allow (it was stopped). */
  denied?: { kind: string; target: string; message: string };
  /**
   * What was enforced for this attempt (the manifest records it, over the OS isolation's record:
   * an adapter that starts no program, such as `http`, replaces the fields that do not apply).
   */
  enforcement?: Record<string, unknown>;
  /**
   * Set when the attempt failed for a reason worth retrying after a given delay (an HTTP 429 or
   * 503 with `Retry-After`): the engine waits this long before the next attempt instead of its
   * backoff, if the step has retries left.
   */
  retryAfterMs?: number;
  /**
   * `false` when the failure would recur on every attempt (an HTTP 404, a malformed request):
   * the engine does not retry it, whatever the step's `retries:`.
   */
  retryable?: boolean;
  /** Process metrics the adapter could measure. */
  metrics?: Record<string, number>;
  /**
   * Events the attempt produced beyond the engine's own (`human.answered`): the engine emits
   * each with the step and attempt, after the attempt ends.
   */
  events?: { type: RunEvent["type"]; fields: Record<string, unknown> }[];
  /** Fields the engine adds to the step's manifest record (`human`: a gate's answer). */
  record?: Partial<Pick<ManifestStep, "human">>;
  /**
   * Records the attempt wrote in the run's directory (an llm step's rendered request and its
   * answer), by name: the manifest lists each with its sha256.
   */
  artifacts?: Record<string, { path: string; sha256: string; size: number }>;
}

/** Executes steps of some kinds. */
export interface Adapter {
  readonly name: string;
  run(request: StepRequest): Promise<StepResult>;
  /** Releases pooled resources (host processes). */
  close?(): Promise<void>;
}
