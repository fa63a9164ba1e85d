/**
 * The run's records: one per step (its state, outputs and manifest entry) and the manifest
 * built from them, written atomically at the start (identity only: a killed run still leaves
 * a record), at the end, and synchronously when a second Ctrl-C ends the run at once.
 * Finishing a step sets its state and emits its event, in one place.
 * @module
 */
import { join, relative, resolve } from "node:path";
import { writeAtomic } from "../cache/store.ts";
import type { StoredOutput } from "../cache/store.ts";
import type { Manifest, ManifestStep, RunEvent } from "../schema/events.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import type { EventLog } from "./events.ts";
import { maskRecord } from "../sandbox/mask_record.ts";

/** A step's state in the run. */
export type StepState = ManifestStep["status"];

/** One step of the run (a main step or an `on_error` step). */
export interface StepRecord {
  step: LockStep;
  onError: boolean;
  state: StepState;
  outputs: Record<string, StoredOutput>;
  manifest: ManifestStep;
}

/** The steps of one scheduling pass (the main steps, or the `on_error` steps), by id. */
export type StepTable = Map<string, StepRecord>;

/** A pending record for `step`. */
export function newRecord(step: LockStep, onError: boolean): StepRecord {
  return {
    step,
    onError,
    state: "pending",
    outputs: {},
    manifest: {
      status: "pending",
      attempts: 0,
      exit_code: null,
      duration_ms: 0,
      cache: { policy: step.cache.policy, decision: "not-run", key: null, reason: "" },
      outputs: {},
      logs: [],
      metrics: {},
    },
  };
}

/** What {@linkcode RunRecords} needs to start. */
export interface RecordsOptions {
  runId: string;
  runDir: string;
  projectRoot: string;
  lockPath?: string;
  jobs: number;
  started: Date;
  /** Applied to each string value of the manifest before it is serialized (secrets masked). */
  redact: (text: string) => string;
}

/** The records and the manifest of one run. */
export class RunRecords {
  /** The main steps, in lock order. */
  readonly steps: StepTable = new Map();
  /** The `on_error` steps, in lock order. */
  readonly onError: StepTable = new Map();
  readonly manifest: Manifest;
  readonly #options: RecordsOptions;

  constructor(lock: LockFile, options: RecordsOptions) {
    this.#options = options;
    for (const step of lock.plan.steps) this.steps.set(step.id, newRecord(step, false));
    for (const step of lock.plan.on_error) this.onError.set(step.id, newRecord(step, true));
    const params: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(lock.params)) {
      if (!("secret" in p)) params[name] = p.value;
    }
    this.manifest = {
      schema_version: 1,
      run_id: options.runId,
      name: lock.name,
      spec_hash: lock.spec_hash,
      lock_path: options.lockPath ? relative(options.projectRoot, resolve(options.lockPath)) : null,
      status: "running",
      started_at: options.started.toISOString(),
      finished_at: null,
      duration_ms: 0,
      jobs: options.jobs,
      params,
      steps: {},
      counts: {},
      policies: {},
    };
  }

  /** Every record: the main steps, then the `on_error` steps. */
  all(): StepRecord[] {
    return [...this.steps.values(), ...this.onError.values()];
  }

  /** Sets the run's end: status, finish time and duration. */
  end(status: Manifest["status"]): void {
    this.manifest.status = status;
    const finished = new Date();
    this.manifest.finished_at = finished.toISOString();
    this.manifest.duration_ms = finished.getTime() - this.#options.started.getTime();
  }

  /** The manifest's text; without steps at the start (identity and status only). */
  text(withSteps: boolean): string {
    const manifest = this.manifest;
    manifest.steps = {};
    if (withSteps) {
      for (const r of this.all()) {
        if (r.onError && r.state === "pending" && manifest.status !== "running") continue;
        manifest.steps[r.step.id] = { ...r.manifest, status: r.state };
      }
      const counts: Record<string, number> = {};
      for (const s of Object.values(manifest.steps)) {
        counts[s.status] = (counts[s.status] ?? 0) + 1;
      }
      manifest.counts = counts;
    }
    return JSON.stringify(maskRecord(manifest, this.#options.redact), null, 2) + "\n";
  }

  /** Writes `manifest.json` atomically. */
  async write(withSteps = true): Promise<void> {
    await writeAtomic(join(this.#options.runDir, "manifest.json"), this.text(withSteps));
  }

  /** Writes `manifest.json` atomically without awaiting (the process may exit right after). */
  writeSync(): void {
    const path = join(this.#options.runDir, "manifest.json");
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      Deno.writeTextFileSync(temp, this.text(true));
      Deno.renameSync(temp, path);
    } catch {
      // the run directory is gone: nothing to record
    }
  }
}

const EVENT_OF: Record<StepState, RunEvent["type"]> = {
  pending: "step.cache_hit",
  succeeded: "step.finished",
  failed: "step.failed",
  cancelled: "step.cancelled",
  skipped: "step.skipped",
  cached: "step.cache_hit",
};

/**
 * Ends a step in `state`: its record, its manifest entry (a skip's reason, a failure's
 * error) and its event (`step.finished`, `step.failed`, `step.cancelled`, `step.skipped` or
 * `step.cache_hit`).
 */
export function finishStep(
  events: EventLog,
  r: StepRecord,
  state: StepState,
  fields: Partial<RunEvent> = {},
): void {
  r.state = state;
  r.manifest.status = state;
  if (state === "skipped") r.manifest.reason = fields.reason;
  if (state === "failed") r.manifest.error = fields.reason;
  events.emit(EVENT_OF[state], { step: r.step.id, duration_ms: r.manifest.duration_ms, ...fields });
}
