/**
 * What a caller gives `runLock` and gets back (engine.ts). Types only: the CLI, the library
 * API (src/public_types.ts) and the engine's parts read them.
 * @module
 */
import type { Adapter } from "../../adapters/types.ts";
import type { Manifest, RunEvent } from "../schema/events.ts";
import type { LockFile, LockParam, LockStep } from "../schema/lock.ts";
import type { IsolationMode } from "../sandbox/isolation.ts";
import type { PermissionSet } from "../sandbox/policy.ts";

/** How failures affect the rest of the run. */
export type ContinueMode = "never" | "dependencies-successful" | "always";

/** Options for `runLock`. */
export interface RunOptions {
  projectRoot: string;
  lockPath?: string;
  jobs?: number;
  only?: string[];
  from?: string;
  dryRun?: boolean;
  continueMode?: ContinueMode;
  /** `-` streams events to stdout; a path writes a copy there. */
  events?: string;
  signal?: AbortSignal;
  /**
   * Aborted to end the run at once (a second Ctrl-C): the listener writes the manifest
   * (`cancelled`) and removes the scratch directory synchronously, so the caller may exit
   * right after `abort()` returns.
   */
  stop?: AbortSignal;
  graceMs?: number;
  adapterFor?: (step: LockStep) => Adapter;
  permissionsFor?: (
    lock: LockFile,
    step: LockStep,
    projectRoot: string,
    scratch: string,
  ) => PermissionSet;
  /** Applied to every byte Lily writes (logs, events, manifest). */
  redact?: (text: string) => string;
  resolveSecret?: (
    name: string,
    marker: Extract<LockParam, { secret: true }>,
  ) => Promise<string | undefined>;
  getHostEnv?: (name: string) => string | undefined;
  onEvent?: (event: RunEvent) => void;
  /** Receives each attempt's output as it is logged (masked, as stored): `-v` streams it. */
  onOutput?: (step: string, text: string) => void;
  /** Overrides `.lily/cache` (tests, shared caches). */
  cacheDir?: string;
  /** OS isolation: `auto` (enforce where possible), `none`, `strict` (refuse what cannot be enforced). */
  isolation?: IsolationMode;
  /**
   * Options only one step kind reads (`--approve`, `--answers`, `--cassettes`…), passed to
   * the kind runners (adapters/mod.ts `KIND_RUNNERS`) by name.
   */
  kindOptions?: Readonly<Record<string, unknown>>;
}

/** The result of a run. */
export interface RunResult {
  runId: string;
  runDir: string;
  status: Manifest["status"];
  manifest: Manifest;
}
