/**
 * The run context: what every part of a run reads (the lock, the directories, the event log,
 * the cache, the masker, the options…), built once by engine.ts and passed as one object
 * instead of long parameter lists. Holds no logic.
 * @module
 */
import type { CacheStore, StepRecordParts } from "../cache/store.ts";
import type { KeyParts } from "../cache/key.ts";
import type { Masker } from "../sandbox/mask.ts";
import type { StepPolicies } from "../sandbox/policy.ts";
import type { LockFile } from "../schema/lock.ts";
import type { Conditions } from "./condition.ts";
import type { RunAdapters } from "./run_adapters.ts";
import type { EventLog } from "./events.ts";
import type { RunOptions } from "./options.ts";
import type { RunRecords } from "./records.ts";
import type { RunState } from "./run_state.ts";

/** The cache's bookkeeping for one run: what it read, and what it writes at the end. */
export interface CacheBook {
  /** The key parts of each step's last entry, read once at the start. */
  stepIndex: Record<string, StepRecordParts>;
  /** The keys this run computed (the plan's namespace record). */
  usedKeys: string[];
  /** The entries this run stored, for the step index. */
  newIndex: Record<string, { key: string; parts: KeyParts; at: string }>;
}

/** Everything a part of a run reads (and the few objects it updates). */
export interface RunContext {
  lock: LockFile;
  options: RunOptions;
  /** The project root. */
  root: string;
  runId: string;
  /** `.lily/runs/<id>`: logs, events, manifest. */
  runDir: string;
  /** Outside the project: steps' output files (`io/`) and TMPDIR (`tmp/`). */
  scratch: string;
  jobs: number;
  events: EventLog;
  cache: CacheStore;
  book: CacheBook;
  masker: Masker;
  /** Secret values by param name, resolved before any byte is written. */
  secrets: Map<string, string>;
  getHostEnv: (name: string) => string | undefined;
  /** Byte caps: an output blob, a log. */
  limits: { maxBlob: number; maxLog: number };
  /** `--from`: the steps re-run whatever the cache holds. */
  forced: Set<string>;
  records: RunRecords;
  state: RunState;
  /** Steps' `if:` and dependency status. */
  conditions: Conditions;
  policies: StepPolicies;
  adapters: RunAdapters;
  /** A fresh id for an attempt's process group bookkeeping (the executor's `pid`). */
  nextAttemptPid(): number;
}
