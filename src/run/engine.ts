/**
 * The run engine: schedules a lock's steps as a DAG (each as soon as its needs are done, up
 * to `jobs` at once), with conditions, typed inputs and outputs, timeouts that kill process
 * groups, retries with backoff, the cache, events and a manifest. Knows nothing about how a
 * step executes (adapters) and nothing about sources (it reads only the lock).
 *
 * This file is the wiring only; each concern is a file of this folder: step selection
 * (select.ts), the run file lock (run_file_lock.ts), records and manifest (records.ts), the
 * stop state (run_state.ts), the scheduler (scheduler.ts), one step (step_runner.ts: its
 * condition.ts, bind_inputs.ts, cache_decision.ts, attempt.ts, collect.ts) and the dry run
 * (dry_run.ts). A step's policy comes from src/sandbox/policy.ts.
 * @module
 */
import { join } from "node:path";
import { CacheStore } from "../cache/store.ts";
import type { Manifest, RunEvent } from "../schema/events.ts";
import type { LockFile } from "../schema/lock.ts";
import { createMasker } from "../sandbox/mask.ts";
import { warnShortSecrets } from "./short_secrets.ts";
import { StepPolicies } from "../sandbox/policy.ts";
import { resolveAllSecrets } from "../sandbox/secrets.ts";
import { Conditions } from "./condition.ts";
import type { RunContext } from "./context.ts";
import { EventLog } from "./events.ts";
import { maxBlobBytes, maxLogBytes } from "./limits.ts";
import type { RunOptions, RunResult } from "./options.ts";
import { finishStep, RunRecords, type StepTable } from "./records.ts";
import { RunAdapters } from "./run_adapters.ts";
import { acquireRunFileLock, ensureLilyDir } from "./run_file_lock.ts";
import { RunState } from "./run_state.ts";
import { schedule } from "./scheduler.ts";
import { ForeachRun, hasForeach } from "./foreach_run.ts";
import { assertSecretsSet } from "./secrets_check.ts";
import { selectSteps, stepsFrom } from "./select.ts";
import { bindContextOf, cacheContextOf, runStep } from "./step_runner.ts";
import { workflowOutputValues } from "./workflow_outputs.ts";

export type { ContinueMode, RunOptions, RunResult } from "./options.ts";

/** A run id: UTC time plus randomness, sortable. */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${t}-${crypto.randomUUID().slice(0, 6)}`;
}

/** Runs a lock to completion (or cancellation) and returns the manifest. */
export async function runLock(lock: LockFile, options: RunOptions): Promise<RunResult> {
  const root = options.projectRoot;
  // Selection first: a bad `--only`/`--from` is a user error that leaves no run directory.
  const selected = selectSteps(lock, options.only);
  const forced = options.from ? stepsFrom(lock, options.from) : new Set<string>();
  const runId = newRunId();
  const runDir = join(root, ".lily", "runs", runId);
  const getHostEnv = options.getHostEnv ?? ((name: string) => Deno.env.get(name));
  // Secrets are resolved before any byte is written, so every byte can be masked (and before
  // the run directory exists: a failure here leaves none behind).
  const secrets = await resolveAllSecrets(lock, { getEnv: getHostEnv });
  if (!options.dryRun) {
    await assertSecretsSet(
      lock,
      selected,
      async (name, marker) =>
        options.resolveSecret ? await options.resolveSecret(name, marker) : secrets.get(name),
      options.kindOptions?.cassettes === "none",
    );
  }
  warnShortSecrets(secrets);
  await ensureLilyDir(root);
  await Deno.mkdir(join(runDir, "logs"), { recursive: true });
  // Steps' output files and TMPDIR live outside the project: a sandboxed step may write
  // there, and never into `.lily/`.
  const scratch = await Deno.makeTempDir({ prefix: `lily-${runId}-` });
  await Deno.mkdir(join(scratch, "io"));
  await Deno.mkdir(join(scratch, "tmp"));
  const masker = createMasker(secrets.values());
  const redact = options.redact ?? ((t: string) => masker.mask(t));
  const events = new EventLog(runId, {
    path: join(runDir, "events.jsonl"),
    stdout: options.events === "-",
    redact,
  });
  await events.open();
  if (options.onEvent) events.listen(options.onEvent);
  const cache = new CacheStore(options.cacheDir ?? join(root, ".lily", "cache"));
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 2);
  const isolation = options.isolation ?? "auto";
  const records = new RunRecords(lock, {
    runId,
    runDir,
    projectRoot: root,
    lockPath: options.lockPath,
    jobs,
    started: new Date(),
    redact,
  });
  let attemptPid = Deno.pid * 1000;
  const state = new RunState({
    continueMode: options.continueMode,
    cancelled: options.signal?.aborted ?? false,
  });
  const ctx: RunContext = {
    lock,
    options,
    root,
    runId,
    runDir,
    scratch,
    jobs,
    events,
    cache,
    book: { stepIndex: {}, usedKeys: [], newIndex: {} },
    masker,
    secrets,
    getHostEnv,
    limits: { maxBlob: maxBlobBytes(getHostEnv), maxLog: maxLogBytes(getHostEnv) },
    forced,
    records,
    state,
    conditions: new Conditions({
      lock,
      state,
      getHostEnv,
      fallback: (id) => records.steps.get(id),
    }),
    policies: new StepPolicies({
      lock,
      projectRoot: root,
      scratch,
      isolation,
      getHostEnv,
      permissionsFor: options.permissionsFor,
    }),
    adapters: new RunAdapters(
      {
        projectRoot: root,
        jobs,
        isolation,
        getHostEnv,
        runDir,
        kindOptions: options.kindOptions,
        lockPath: options.lockPath,
        workflow: lock.name,
      },
      options.adapterFor,
    ),
    nextAttemptPid: () => ++attemptPid,
  };
  // At start: the run's identity and status only (a killed run still leaves a record).
  await records.write(false);
  const runFileLock = await acquireRunFileLock(root, lock.spec_hash, {
    signal: options.signal,
    onWait: () =>
      events.emit("run.waiting", {
        reason: "another run of this lock is in progress: waiting for it to finish",
      }),
  });
  events.emit(
    "run.started",
    { spec_hash: lock.spec_hash, steps: selected.size, name: lock.name } as Partial<RunEvent>,
  );

  const onCancel = () => state.cancel();
  options.signal?.addEventListener("abort", onCancel, { once: true });
  // A second Ctrl-C: no await from here on (the process exits when this returns), and still
  // a manifest that says `cancelled`, never `running`, and no scratch directory left behind.
  const onStop = () => {
    state.cancelled = true;
    for (const { controller } of state.running.values()) controller.abort("cancelled");
    for (const r of records.all()) {
      if (r.state !== "pending" && !state.running.has(r.step.id)) continue;
      if (r.onError && !state.running.has(r.step.id)) continue;
      r.state = "cancelled";
      r.manifest.status = "cancelled";
      r.manifest.reason = "the run was stopped (a second Ctrl-C)";
    }
    records.end("cancelled");
    records.writeSync();
    events.emit("run.finished", { status: "cancelled", duration_ms: records.manifest.duration_ms });
    events.close();
    try {
      Deno.removeSync(scratch, { recursive: true });
    } catch {
      // already removed
    }
  };
  if (options.stop?.aborted) onStop();
  else options.stop?.addEventListener("abort", onStop, { once: true });
  // The step index is per workflow (its name): a step `count` of another workflow in the same
  // project is not "the last entry" of this one's `count` (sweep points share the name, and
  // compare with each other, which is what "changed: params.C" is for).
  const indexPrefix = `${lock.name}/`;
  ctx.book.stepIndex = Object.fromEntries(
    Object.entries(await cache.stepIndex())
      .filter(([id]) => id.startsWith(indexPrefix))
      .map(([id, parts]) => [id.slice(indexPrefix.length), parts]),
  );

  if (options.dryRun) {
    // Loaded only for a dry run: a run does not pay for its module.
    const { dryRun } = await import("./dry_run.ts");
    const lines = await dryRun({
      lock,
      records: records.steps,
      bind: bindContextOf(ctx, records.steps),
      cache: cacheContextOf(ctx),
      selected,
    });
    records.manifest.status = "succeeded";
    events.close();
    runFileLock?.close();
    await Deno.remove(runDir, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
    return {
      runId,
      runDir,
      status: "succeeded",
      manifest: { ...records.manifest, dry_run: lines } as Manifest,
    };
  }

  // foreach: max_parallel, fail_fast and run-time expansion (foreach_run.ts), only when used.
  const foreach = hasForeach(lock)
    ? new ForeachRun(lock.plan.steps, { table: records.steps, events, state, selected })
    : undefined;
  if (foreach) state.spares = (r) => foreach.spares(r);
  const pass = (table: StepTable, include: (id: string) => boolean) =>
    schedule([...table.values()].filter((r) => include(r.step.id)).map((r) => r.step), {
      jobs,
      onQueued: (id) => events.emit("step.queued", { step: id }),
      mayStart: (id) => state.mayGoOn(table.get(id)!) && !foreach?.stopped(id),
      skip: (id) => {
        const stopped = foreach?.stopped(id);
        finishStep(events, table.get(id)!, state.cancelled || stopped ? "cancelled" : "skipped", {
          reason: stopped ?? state.stopReason(),
        });
        if (stopped) table.get(id)!.manifest.reason = stopped;
      },
      run: (id) => runStep(ctx, table.get(id)!, table),
      onError: (id, error) =>
        finishStep(events, table.get(id)!, "failed", {
          reason: `internal error: ${(error as Error).message}`,
        }),
      onDone: (id) => {
        // The foreach first: its fail_fast reason reaches the sibling items before the run's.
        foreach?.stepDone(table.get(id)!);
        state.stepDone(table.get(id)!);
      },
      ...(foreach ? { expand: (id: string) => foreach.expand(id) } : {}),
      ...(foreach?.limits ? { limit: (id: string) => foreach.limit(id) } : {}),
    });

  await pass(records.steps, (id) => selected.has(id));
  for (const r of records.steps.values()) {
    if (!selected.has(r.step.id)) {
      r.state = "skipped";
      r.manifest.reason = "not selected (--only)";
    }
  }
  const mainFailed = [...records.steps.values()].some((r) => r.state === "failed");
  if (mainFailed && records.onError.size && !state.cancelled) {
    state.failing = true;
    await pass(records.onError, () => true);
  }
  options.signal?.removeEventListener("abort", onCancel);
  options.stop?.removeEventListener("abort", onStop);
  records.end(state.cancelled ? "cancelled" : mainFailed ? "failed" : "succeeded");
  const manifest = records.manifest;
  if (lock.plan.outputs.length) {
    manifest.outputs = workflowOutputValues(lock, (id) => records.steps.get(id)?.manifest.outputs);
  }
  await cache.recordNamespace(lock.spec_hash, ctx.book.usedKeys).catch(() => {});
  await cache.updateStepIndex(
    Object.fromEntries(
      Object.entries(ctx.book.newIndex).map(([id, parts]) => [indexPrefix + id, parts]),
    ),
  ).catch(() => {});
  cache.close();
  await records.write();
  events.emit("run.finished", { status: manifest.status, duration_ms: manifest.duration_ms });
  await ctx.adapters.close();
  events.close();
  runFileLock?.close();
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  return { runId, runDir, status: manifest.status, manifest };
}
