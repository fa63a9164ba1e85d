/**
 * Whether a run is stopping, and why: failing fast (a step failed under `--continue never`)
 * or cancelled (Ctrl-C). Tracks the running attempts so those that may not go on are
 * aborted, and decides (with exempt.ts) whether a step may start or keep running.
 * @module
 */
import { mayRun } from "./exempt.ts";
import type { ContinueMode } from "./options.ts";
import type { StepRecord } from "./records.ts";

/** The stop state of one run. */
export class RunState {
  /** A step outside `on_error` failed. */
  failing = false;
  cancelled: boolean;
  readonly continueMode: ContinueMode;
  /** The attempts in flight, by step id. */
  readonly running = new Map<string, { controller: AbortController; r: StepRecord }>();
  /** Steps a failure does not stop (items of a `fail_fast: false` foreach, run/foreach_run.ts). */
  spares?: (r: StepRecord) => boolean;

  constructor(options: { continueMode?: ContinueMode; cancelled?: boolean } = {}) {
    this.continueMode = options.continueMode ?? "never";
    this.cancelled = options.cancelled ?? false;
  }

  /** Whether a step may start or keep running now (fail-fast and cancel spare some steps). */
  mayGoOn(r: StepRecord): boolean {
    return mayRun(r.step.if?.status, {
      failingFast: this.failing && this.continueMode === "never" && !this.spares?.(r),
      cancelled: this.cancelled,
    }, { onError: r.onError });
  }

  /** Why a step may not go on, as its record says. */
  stopReason(): string {
    return this.cancelled ? "the run was cancelled" : "the run is failing (fail-fast)";
  }

  /** Aborts the running attempts that may not go on, with `why` as the abort reason. */
  stopRunning(why: string): void {
    for (const { controller, r } of this.running.values()) {
      if (!this.mayGoOn(r)) controller.abort(why);
    }
  }

  /** The run is cancelled (Ctrl-C, or a step's program saw SIGINT). */
  cancel(): void {
    this.cancelled = true;
    this.stopRunning("cancelled");
  }

  /** Takes a finished step's state into account: a failure starts failing (fast). */
  stepDone(r: StepRecord): void {
    if (r.state !== "failed" || r.onError) return;
    if (this.continueMode === "never") {
      if (!this.failing) {
        this.failing = true;
        this.stopRunning("fail-fast");
      }
    } else this.failing = true;
  }
}
