/**
 * A step's attempts: each one gets its log (masked, capped, created on the first byte), its
 * timer (a timeout aborts it: the adapter kills the process tree), its environment and spec,
 * and one adapter call; then the result is judged — cancelled, denied by the policy (never
 * retried), failed (retried with backoff while attempts are left), or succeeded with its
 * outputs collected. The cache is not touched here (step_runner.ts stores the entry).
 * @module
 */
import { join } from "node:path";
import type { Adapter, StepResult } from "../../adapters/types.ts";
import type { StepPolicy } from "../sandbox/policy.ts";
import type { LockStep } from "../schema/lock.ts";
import type { RunEvent } from "../schema/events.ts";
import { execSpecFor } from "../steps/mod.ts";
import type { BoundInputs } from "./bind_inputs.ts";
import { collectOutputs } from "./collect.ts";
import type { RunContext } from "./context.ts";
import { describeDenial } from "./denial.ts";
import { stepEnvironment } from "./environment.ts";
import { LOG_TRUNCATED } from "./limits.ts";
import { networkNote } from "./network_note.ts";
import { finishStep, type StepRecord } from "./records.ts";

/** What the attempts of a step run with. */
export interface AttemptJob {
  adapter: Adapter;
  policy: StepPolicy;
  bound: BoundInputs;
  /** When the step started (performance.now()), for its duration. */
  startedAt: number;
}

/** How a step's attempts ended when they did not end it already (failure, cancel, denial). */
export interface AttemptSuccess {
  exitCode: number | null;
  attempt: number;
  /** Why the outputs may not be cached (a file that changed while it was read…). */
  noCache: string[];
}

const encoder = new TextEncoder();

/** An attempt's log file, `logs/<step>.<attempt>.log`: created on the first byte, capped. */
export class AttemptLog {
  #file: Deno.FsFile | undefined;
  #bytes = 0;

  constructor(
    readonly path: string,
    readonly maxBytes: number,
    /** Called when the file is created (the manifest lists it) and when the cap is hit. */
    readonly hooks: { created(): void; truncated(): void },
  ) {}

  /** Appends `text` (already masked). */
  async write(text: string): Promise<void> {
    const maxLog = this.maxBytes;
    if (!text || this.#bytes > maxLog) return;
    if (!this.#file) {
      this.#file = await Deno.open(this.path, { create: true, write: true, truncate: true });
      this.hooks.created();
    }
    let data = encoder.encode(text);
    if (this.#bytes + data.length > maxLog) {
      // Capped: keep the first `maxLog` bytes and say so in the log itself.
      const head = data.subarray(0, maxLog - this.#bytes);
      data = new Uint8Array([...head, ...encoder.encode(LOG_TRUNCATED)]);
      this.#bytes = maxLog + 1;
      this.hooks.truncated();
    } else this.#bytes += data.length;
    let written = 0;
    while (written < data.length) written += await this.#file.write(data.subarray(written));
  }

  close(): void {
    this.#file?.close();
  }
}

/**
 * The delay before attempt `attempt + 1`: the adapter's `retryAfterMs` when it gives one,
 * else exponential backoff from `retries.backoff_ms`, capped, with optional jitter.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./attempt.ts";
 * const retries = { max: 3, backoff_ms: 100, max_backoff_ms: 250, jitter: false };
 * const delays = [1, 2, 3].map((n) => retryDelay(retries, n, {}));
 * if (delays.join() !== "100,200,250") throw new Error(delays.join());
 * if (retryDelay(retries, 1, { retryAfterMs: 7 }) !== 7) throw new Error("Retry-After wins");
 * ```
 */
export function retryDelay(
  retries: LockStep["retries"],
  attempt: number,
  result: Pick<StepResult, "retryAfterMs">,
): number {
  const base = Math.min(retries.max_backoff_ms, retries.backoff_ms * 2 ** (attempt - 1));
  return result.retryAfterMs ??
    Math.round(retries.jitter ? base * (0.5 + Math.random() / 2) : base);
}

/** A file-name-safe form of a step id. */
export function safeName(id: string): string {
  // `@ = +` are kept: foreach sub-steps (`t@a=b`, `t@a_b`) must not share a file.
  return id.replace(/[^A-Za-z0-9_.@=+-]/g, "_");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(resolveSleep, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolveSleep();
    }, { once: true });
  });
}

/** One attempt: log, timer, spec, adapter call. */
async function attemptOnce(
  ctx: RunContext,
  r: StepRecord,
  job: AttemptJob,
  attempt: number,
  outputFile: string,
): Promise<{ result: StepResult; timedOut: boolean; controller: AbortController }> {
  const { options, state, events } = ctx;
  const step = r.step;
  const logName = `logs/${safeName(step.id)}.${attempt}.log`;
  const log = new AttemptLog(join(ctx.runDir, logName), ctx.limits.maxLog, {
    created: () => r.manifest.logs.push(logName),
    truncated: () => r.manifest.metrics.log_truncated_at_bytes = ctx.limits.maxLog,
  });
  const decoder = new TextDecoder();
  const maskStream = ctx.masker.stream();
  const controller = new AbortController();
  state.running.set(step.id, { controller, r });
  let timedOut = false;
  const timer = step.timeout_ms !== null
    ? setTimeout(() => {
      timedOut = true;
      controller.abort("timeout");
    }, step.timeout_ms)
    : undefined;
  r.manifest.attempts = attempt;
  events.emit("step.started", { step: step.id, attempt, policy: job.policy.id });
  const { permissions, os, binaries } = job.policy;
  const env = stepEnvironment(step, {
    runId: ctx.runId,
    projectRoot: ctx.root,
    outputFile,
    tmpDir: join(ctx.scratch, "tmp"),
    attempt,
    inputs: job.bound.env,
    getHostEnv: ctx.getHostEnv,
  });
  const graceMs = options.graceMs ?? 2000;
  const spec = execSpecFor(step, {
    cwd: ctx.root,
    env,
    binaries,
    readRoots: permissions.read,
    writeRoots: permissions.write,
    denyRoots: permissions.deny,
    graceMs,
    pid: ctx.nextAttemptPid(),
  }, ctx.lock);
  const result = await job.adapter.run({
    step,
    spec,
    permissions,
    os,
    signal: controller.signal,
    graceMs,
    write: async (chunk) => {
      const text = decoder.decode(chunk, { stream: true });
      const masked = options.redact ? options.redact(text) : maskStream.push(text);
      if (masked) options.onOutput?.(step.id, masked);
      await log.write(masked);
    },
  });
  if (timer !== undefined) clearTimeout(timer);
  state.running.delete(step.id);
  // What the masker held back (a possible secret prefix) is decided only now: the console
  // gets it too, or `-v` would lose the last bytes of every step's output.
  const tail = maskStream.push(decoder.decode()) + maskStream.end();
  if (tail) options.onOutput?.(step.id, tail);
  await log.write(tail);
  log.close();
  return { result, timedOut, controller };
}

/**
 * Per step: which policy, and what isolation was in force; the policy's permission set and
 * Deno flags are written once, in the manifest's `policies` (a 10,000-step manifest stays
 * small).
 */
function recordEnforcement(ctx: RunContext, r: StepRecord, policy: StepPolicy, result: StepResult) {
  const { deno_flags, ...rest } = result.enforcement ?? {};
  // The adapter's record wins: a container's or an HTTP request's isolation is not the host
  // sandbox's (for the process adapters the two share no field).
  r.manifest.enforcement = { policy: policy.id, ...policy.os.record, ...rest };
  const manifest = ctx.records.manifest;
  if (!manifest.policies![policy.id]) {
    const flags = (deno_flags as string[] | undefined) ?? null;
    manifest.policies![policy.id] = { permissions: policy.permissions, deno_flags: flags };
    ctx.events.emit("policy.defined", {
      policy: policy.id,
      permissions: policy.permissions,
      deno_flags: flags,
    } as Partial<RunEvent>);
  }
}

/**
 * Runs a step's attempts until one succeeds, the policy denies one, the run stops, or no
 * attempt is left. Ends the step (its record and event) on every outcome but success, which
 * it returns (the outputs are collected into the record).
 */
export async function runAttempts(
  ctx: RunContext,
  r: StepRecord,
  job: AttemptJob,
): Promise<AttemptSuccess | undefined> {
  const { state, events } = ctx;
  const step = r.step;
  const finish = (s: Parameters<typeof finishStep>[2], fields: Partial<RunEvent>) => {
    finishStep(events, r, s, fields);
    return undefined;
  };
  const maxAttempts = step.retries.max + 1;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (!state.mayGoOn(r)) return finish("cancelled", { reason: state.stopReason() });
    const outputFile = join(ctx.scratch, "io", `${safeName(step.id)}.${attempt}.out`);
    const { result, timedOut, controller } = await attemptOnce(ctx, r, job, attempt, outputFile);
    r.manifest.exit_code = result.exitCode;
    r.manifest.duration_ms = performance.now() - job.startedAt;
    recordEnforcement(ctx, r, job.policy, result);
    if (result.metrics) Object.assign(r.manifest.metrics, result.metrics);
    // What a kind runner recorded (a gate's answer): its events and manifest fields.
    for (const e of result.events ?? []) {
      events.emit(e.type, { step: step.id, attempt, ...e.fields });
    }
    if (result.record) Object.assign(r.manifest, result.record);
    if (result.artifacts) r.manifest.artifacts = { ...r.manifest.artifacts, ...result.artifacts };
    r.manifest.metrics.wall_ms = Math.round(result.durationMs);
    // A host or program ended by SIGINT: Ctrl-C in a terminal reaches the whole process
    // group, so the run is being interrupted (as bash reads a child's SIGINT), whichever of
    // Lily and the host saw the signal first.
    const interrupted = result.signal === "SIGINT" && !timedOut;
    if (interrupted && !state.cancelled) state.cancel();
    if (!timedOut && (controller.signal.aborted || interrupted)) {
      return finish("cancelled", {
        reason: controller.signal.reason === "fail-fast"
          ? "the run is failing (fail-fast)"
          : typeof controller.signal.reason === "string" && controller.signal.reason.includes(" ")
          ? controller.signal.reason // a sentence: why (a foreach's fail_fast)
          : "the run was cancelled",
        attempt,
      });
    }
    let failure: string | undefined;
    let failureIsExit = false;
    if (result.denied) {
      const denial = describeDenial(step, result.denied, ctx.lock);
      r.manifest.denied = denial;
      events.emit("step.denied", { step: step.id, attempt, ...denial });
      // A denial is the policy at work, not a flaky failure: no retry.
      const netNote = networkNote(step, { denied: result.denied.kind });
      if (netNote) r.manifest.notes = [netNote];
      return finish("failed", {
        reason: `${denial.code}: ${denial.message}`,
        attempt,
        ...(netNote ? { note: netNote } : {}),
      });
    }
    if (result.error) {
      // The stable code first, as a denial's reason: the user can look it up (docs/errors.md).
      failure = `${result.error.code}: ${result.error.message}${
        result.error.hint ? ` (${result.error.hint})` : ""
      }`;
    } else if (timedOut) failure = `timed out after ${step.timeout_ms} ms (process group killed)`;
    else if (result.exitCode !== 0) {
      failure = result.signal
        ? `killed by ${result.signal}`
        : `exited with status ${result.exitCode}`;
      failureIsExit = true;
    } else {
      // Read from masked text, no-follow, bounded (src/run/collect.ts).
      const collected = await collectOutputs(step, outputFile, {
        root: ctx.root,
        masker: ctx.masker,
        maxBlob: ctx.limits.maxBlob,
      });
      if ("error" in collected) failure = collected.error;
      else {
        r.outputs = collected.outputs;
        r.manifest.outputs = collected.outputs;
        for (const name of collected.ignored) {
          events.emit("step.output", {
            step: step.id,
            name,
            reason: "undeclared output ignored (not passed on)",
          });
        }
        for (const [name, out] of Object.entries(collected.outputs)) {
          events.emit("step.output", { step: step.id, name, value: out.value ?? out.path });
        }
        return {
          exitCode: result.exitCode,
          attempt,
          noCache: collected.noCache,
        };
      }
    }
    // An adapter may say the failure would recur on every attempt (an HTTP 404).
    if (attempt < maxAttempts && !state.cancelled && result.retryable !== false) {
      const delay = retryDelay(step.retries, attempt, result);
      events.emit("step.retry", { step: step.id, attempt, delay_ms: delay, reason: failure });
      await sleep(delay, ctx.options.signal);
      continue;
    }
    // Only a program's own non-zero status can be the network (not Lily's errors).
    const note = networkNote(step, {
      exitCode: !result.error && !timedOut && !result.signal && failureIsExit
        ? result.exitCode
        : undefined,
    });
    if (note) r.manifest.notes = [note];
    return finish("failed", {
      reason: failure,
      exit_code: result.exitCode,
      attempt,
      ...(note ? { note } : {}),
    });
  }
}
