/**
 * The run engine: schedules a lock's steps as a DAG (each as soon as its needs are done, up
 * to `jobs` at once), with conditions, typed inputs and outputs, timeouts that kill process
 * groups, retries with backoff, the cache, events and a manifest. Knows nothing about how a
 * step executes (adapters) and nothing about sources (it reads only the lock).
 * @module
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import { ADAPTER_FACTORIES } from "../../adapters/mod.ts";
import type { Adapter, PermissionSet } from "../../adapters/types.ts";
import {
  cacheKey,
  changedParts,
  dirDigest,
  fileDigest,
  type InputValue,
  keyParts,
  valueDigest,
} from "../cache/key.ts";
import { CacheStore, type Entry, type StoredOutput, writeAtomic } from "../cache/store.ts";
import { didYouMean, LilyError, LilyErrors } from "../errors.ts";
import { type Ast, evaluateCondition, type Status } from "../expr/mod.ts";
import type { Manifest, ManifestStep, RunEvent } from "../schema/events.ts";
import { workflowOutputValues } from "./workflow_outputs.ts";
import type { LockFile, LockParam, LockStep } from "../schema/lock.ts";
import { createMasker } from "../sandbox/mask.ts";
import { type IsolationMode, type OsIsolation, osIsolation } from "../sandbox/isolation.ts";
import { pinMounts } from "../sandbox/pins.ts";
import { hostSupportPaths, lilyStateDirs, programSupportPaths } from "../sandbox/support.ts";
import { pinDigest } from "../steps/docker_pins.ts";
import { execSpecFor } from "../steps/mod.ts";
import { describeDenial } from "./denial.ts";
import { networkNote } from "./network_note.ts";
import { mayRun } from "./exempt.ts";
import { resolveAllSecrets } from "../sandbox/secrets.ts";
import { assertSecretsSet } from "./secrets_check.ts";
import { stepEnvironment } from "./environment.ts";
import { EventLog } from "./events.ts";
import { schemaViolation } from "../json_schema/validate.ts";
import { collectOutputs } from "./collect.ts";
import { LOG_TRUNCATED, maxBlobBytes, maxLogBytes } from "./limits.ts";
import { permissionsFor } from "./permissions.ts";

/** How failures affect the rest of the run. */
export type ContinueMode = "never" | "dependencies-successful" | "always";

/** Options for {@linkcode runLock}. */
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
}

/** The result of a run. */
export interface RunResult {
  runId: string;
  runDir: string;
  status: Manifest["status"];
  manifest: Manifest;
}

type State = ManifestStep["status"];

interface StepRecord {
  step: LockStep;
  onError: boolean;
  state: State;
  outputs: Record<string, StoredOutput>;
  manifest: ManifestStep;
}

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
  const forced = options.from ? descendants(lock, options.from) : new Set<string>();
  const runId = newRunId();
  const runDir = join(root, ".lily", "runs", runId);
  const getHostEnv0 = options.getHostEnv ?? ((name: string) => Deno.env.get(name));
  // Secrets are resolved before any byte is written, so every byte can be masked (and before
  // the run directory exists: a failure here leaves none behind).
  const secrets = await resolveAllSecrets(lock, { getEnv: getHostEnv0 });
  if (!options.dryRun) {
    await assertSecretsSet(
      lock,
      selected,
      async (name, marker) =>
        options.resolveSecret ? await options.resolveSecret(name, marker) : secrets.get(name),
    );
  }
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
  const maxBlob = maxBlobBytes(options.getHostEnv ?? ((name: string) => Deno.env.get(name)));
  const maxLog = maxLogBytes(options.getHostEnv ?? ((name: string) => Deno.env.get(name)));
  const jobs = Math.max(1, options.jobs ?? navigator.hardwareConcurrency ?? 2);
  const getHostEnv = options.getHostEnv ?? ((name: string) => Deno.env.get(name));
  let attemptCounter = Deno.pid * 1000;
  // One adapter per name, created on the first step that uses it: a fully cached run loads none.
  const adapters = new Map<string, Promise<Adapter>>();
  const adapterFor = async (step: LockStep): Promise<Adapter> => {
    if (options.adapterFor) return options.adapterFor(step);
    let adapter = adapters.get(step.adapter);
    if (!adapter) {
      const factory = ADAPTER_FACTORIES[step.adapter];
      if (!factory) {
        // Compose and the lock reader refuse these first (steps/support.ts); this is the last guard.
        throw new LilyError(
          "LILY-E0211",
          `step \`${step.id}\`: \`adapter: ${step.adapter}\` is not implemented in this version of Lily`,
        );
      }
      adapter = factory({
        projectRoot: root,
        jobs,
        isolation: options.isolation ?? "auto",
        getHostEnv,
      });
      adapters.set(step.adapter, adapter);
    }
    return await adapter;
  };
  // One object per distinct policy: adapters key their hosts by it, the manifest shares it.
  const policies = new Map<
    string,
    {
      permissions: PermissionSet;
      os: OsIsolation;
      id: string;
      /** Programs by the name a script uses → pinned path. */
      binaries: Record<string, string>;
    }
  >();
  const policyOf = (step: LockStep) => {
    const id = JSON.stringify(step.resources);
    let policy = policies.get(id);
    if (!policy) {
      const permissions = (options.permissionsFor ?? permissionsFor)(lock, step, root, scratch);
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
      const os = osIsolation(step.resources.network, options.isolation ?? "auto", view);
      const binaries: Record<string, string> = {};
      for (const b of step.resources.binaries) {
        const pin = lock.registry_pins.binaries[b];
        if (pin) binaries[b] = resolve(root, pin.path);
      }
      policy = { permissions, os, id: `p${policies.size + 1}`, binaries };
      policies.set(id, policy);
    }
    return policy;
  };
  const continueMode = options.continueMode ?? "never";
  const started = new Date();
  const encoder = new TextEncoder();

  const records = new Map<string, StepRecord>();
  const makeRecord = (step: LockStep, onError: boolean): StepRecord => ({
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
  });
  for (const step of lock.plan.steps) records.set(step.id, makeRecord(step, false));
  const onErrorRecords = new Map<string, StepRecord>();
  for (const step of lock.plan.on_error) onErrorRecords.set(step.id, makeRecord(step, true));

  const params: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(lock.params)) if (!("secret" in p)) params[name] = p.value;

  const manifest: Manifest = {
    schema_version: 1,
    run_id: runId,
    name: lock.name,
    spec_hash: lock.spec_hash,
    lock_path: options.lockPath ? relative(root, resolve(options.lockPath)) : null,
    status: "running",
    started_at: started.toISOString(),
    finished_at: null,
    duration_ms: 0,
    jobs,
    params,
    steps: {},
    counts: {},
    policies: {},
  };
  const manifestText = (withSteps: boolean) => {
    manifest.steps = {};
    if (withSteps) {
      for (const r of [...records.values(), ...onErrorRecords.values()]) {
        if (r.onError && r.state === "pending" && manifest.status !== "running") continue;
        manifest.steps[r.step.id] = { ...r.manifest, status: r.state };
      }
      const counts: Record<string, number> = {};
      for (const s of Object.values(manifest.steps)) {
        counts[s.status] = (counts[s.status] ?? 0) + 1;
      }
      manifest.counts = counts;
    }
    return redact(JSON.stringify(manifest, null, 2)) + "\n";
  };
  // At start: the run's identity and status only (a killed run still leaves a record).
  const writeManifest = async (withSteps = true) => {
    await writeAtomic(join(runDir, "manifest.json"), manifestText(withSteps));
  };
  await writeManifest(false);
  // Two runs of one lock would execute the same steps at once and race on their output files:
  // the second waits for the first, then finds its steps in the cache (as cargo does).
  const planLock = await lockPlan(
    root,
    lock.spec_hash,
    options.signal,
    () =>
      events.emit("run.waiting", {
        reason: "another run of this lock is in progress: waiting for it to finish",
      }),
  );
  events.emit(
    "run.started",
    { spec_hash: lock.spec_hash, steps: selected.size, name: lock.name } as Partial<RunEvent>,
  );

  let failing = false;
  let cancelled = options.signal?.aborted ?? false;
  const running = new Map<string, { controller: AbortController; r: StepRecord }>();
  /** Whether a step may start or keep running now (fail-fast and cancel spare some steps). */
  const mayGoOn = (r: StepRecord) =>
    mayRun(r.step.if?.status, {
      failingFast: failing && continueMode === "never",
      cancelled,
    }, { onError: r.onError });
  /** Aborts the running attempts that may not go on. */
  const stopRunning = (why: string) => {
    for (const { controller, r } of running.values()) if (!mayGoOn(r)) controller.abort(why);
  };
  const onCancel = () => {
    cancelled = true;
    stopRunning("cancelled");
  };
  options.signal?.addEventListener("abort", onCancel, { once: true });
  // A second Ctrl-C: no await from here on (the process exits when this returns), and still
  // a manifest that says `cancelled`, never `running`, and no scratch directory left behind.
  const onStop = () => {
    cancelled = true;
    for (const { controller } of running.values()) controller.abort("cancelled");
    for (const r of [...records.values(), ...onErrorRecords.values()]) {
      if (r.state !== "pending" && !running.has(r.step.id)) continue;
      if (r.onError && !running.has(r.step.id)) continue;
      r.state = "cancelled";
      r.manifest.status = "cancelled";
      r.manifest.reason = "the run was stopped (a second Ctrl-C)";
    }
    manifest.status = "cancelled";
    const finished = new Date();
    manifest.finished_at = finished.toISOString();
    manifest.duration_ms = finished.getTime() - started.getTime();
    const path = join(runDir, "manifest.json");
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      Deno.writeTextFileSync(temp, manifestText(true));
      Deno.renameSync(temp, path);
    } catch {
      // the run directory is gone: nothing to record
    }
    events.emit("run.finished", { status: "cancelled", duration_ms: manifest.duration_ms });
    events.close();
    try {
      Deno.removeSync(scratch, { recursive: true });
    } catch {
      // already removed
    }
  };
  if (options.stop?.aborted) onStop();
  else options.stop?.addEventListener("abort", onStop, { once: true });
  const usedKeys: string[] = [];
  const stepIndex = await cache.stepIndex();
  const newIndex: Record<string, { key: string; parts: ReturnType<typeof keyParts>; at: string }> =
    {};

  const finish = (r: StepRecord, state: State, fields: Partial<RunEvent> = {}) => {
    r.state = state;
    r.manifest.status = state;
    const type = state === "succeeded"
      ? "step.finished"
      : state === "failed"
      ? "step.failed"
      : state === "cancelled"
      ? "step.cancelled"
      : state === "skipped"
      ? "step.skipped"
      : "step.cache_hit";
    if (state === "skipped") r.manifest.reason = fields.reason;
    if (state === "failed") r.manifest.error = fields.reason;
    events.emit(type, { step: r.step.id, duration_ms: r.manifest.duration_ms, ...fields });
  };

  /** The value and digest of each input; or a reason the step cannot run. */
  const bindInputs = async (
    r: StepRecord,
    table: Map<string, StepRecord>,
  ): Promise<
    { values: Record<string, InputValue>; env: Record<string, string> } | { skip: string } | {
      fail: string;
    }
  > => {
    const values: Record<string, InputValue> = {};
    const env: Record<string, string> = {};
    for (const [name, io] of Object.entries(r.step.inputs)) {
      let value: unknown;
      let isFile = io.type === "file" || io.type === "dir";
      let path: string | undefined;
      const from = io.from ?? "";
      const param = /^params\.(.+)$/.exec(from)?.[1];
      const upstream = /^steps\.([^.]+)\.outputs\.(.+)$/.exec(from);
      if (param !== undefined) {
        const p = lock.params[param];
        if (p && "secret" in p) {
          const secret = options.resolveSecret
            ? await options.resolveSecret(param, p)
            : secrets.get(param);
          if (secret === undefined) {
            if (!io.required) continue;
            return {
              fail: `secret \`${param}\` is not set: export LILY_SECRET_${param.toUpperCase()}${
                p.source.startsWith("env:") && p.source !== `env:LILY_SECRET_${param.toUpperCase()}`
                  ? ` or ${p.source.slice(4)}`
                  : ""
              }`,
            };
          }
          values[name] = { type: "secret", value: secret, digest: "secret" };
          env[name] = secret;
          continue;
        }
        value = p && "value" in p ? p.value : null;
        if (isFile) path = String(value);
      } else if (upstream) {
        const [, id, output] = upstream;
        const producer = table.get(id) ?? records.get(id);
        const produced = producer?.outputs[output];
        if (
          !producer || !["succeeded", "cached"].includes(producer.state) || produced === undefined
        ) {
          if (!io.required) continue;
          const why = !producer
            ? "does not exist"
            : producer.state === "skipped"
            ? "was skipped"
            : producer.state === "failed"
            ? "failed"
            : producer.state === "cancelled"
            ? "was cancelled"
            : "did not produce it";
          return { skip: `input \`${name}\` comes from \`${from}\`, and step \`${id}\` ${why}` };
        }
        value = produced.value ?? produced.path;
        if (produced.path !== undefined) {
          isFile = true;
          path = produced.path;
        }
      } else if (io.path !== undefined) {
        path = io.path;
        isFile = true;
      }
      if (isFile && path !== undefined) {
        const abs = isAbsolute(path) ? path : join(root, path);
        let digest: string;
        let stat: Deno.FileInfo;
        try {
          stat = await Deno.stat(abs);
        } catch {
          return { fail: `input \`${name}\`: file \`${path}\` does not exist` };
        }
        if (!stat.isFile && !stat.isDirectory) {
          // A FIFO or `/dev/zero` would block or never end the hash.
          return {
            fail: `input \`${name}\`: \`${path}\` is not a regular file or directory`,
          };
        }
        try {
          digest = stat.isDirectory ? await dirDigest(abs) : (await fileDigest(abs)).sha256;
        } catch (error) {
          return {
            fail: `input \`${name}\`: cannot read \`${path}\`: ${(error as Error).message}`,
          };
        }
        values[name] = { type: io.type, value: path, digest };
        env[name] = abs;
      } else {
        if (io.type === "json" && io.schema) {
          const violation = await schemaViolation(value, io.schema);
          if (violation) {
            return { fail: `input \`${name}\` does not match its schema: ${violation}` };
          }
        }
        values[name] = { type: io.type, value, digest: valueDigest(value) };
        env[name] = typeof value === "string" ? value : JSON.stringify(value ?? null);
      }
    }
    return { values, env };
  };

  // Whether some step upstream failed, computed once per step from its needs (all done).
  const upstreamFailed = new Map<string, boolean>();
  const statusOf = (r: StepRecord, table: Map<string, StepRecord>) => {
    let failed = upstreamFailed.get(r.step.id);
    if (failed === undefined) {
      failed = r.step.needs.some((id) => {
        const dep = table.get(id);
        return !!dep &&
          (dep.state === "failed" || dep.state === "cancelled" || upstreamFailed.get(id) === true);
      });
      upstreamFailed.set(r.step.id, failed);
    }
    return { dependencyFailed: failed || (r.onError && failing), cancelled };
  };

  const lookupValue = (
    path: readonly string[],
    r: StepRecord,
    table: Map<string, StepRecord>,
  ): unknown => {
    const [root0, a, b, c] = path;
    // Own names only: a lock's `params.constructor` must not read Object.prototype's.
    const own = <T>(o: Record<string, T> | undefined, k: string) =>
      o && Object.hasOwn(o, k) ? o[k] : undefined;
    if (root0 === "params") return own(params, a);
    if (root0 === "vars") return own(lock.vars, a);
    if (root0 === "env") return own(r.step.env, a) ?? getHostEnv(a);
    if (root0 === "steps" && b === "outputs") {
      const out = own((table.get(a) ?? records.get(a))?.outputs, c);
      return out?.value ?? out?.path ?? null;
    }
    return null;
  };

  const runStep = async (r: StepRecord, table: Map<string, StepRecord>): Promise<void> => {
    const step = r.step;
    const t0 = performance.now();
    // Condition.
    if (step.if) {
      let ok: boolean;
      try {
        ok = evaluateCondition(step.if as { ast: Ast; status: Status }, {
          lookup: (p) => lookupValue(p, r, table),
          status: statusOf(r, table),
        });
      } catch (error) {
        finish(r, "failed", { reason: error instanceof LilyError ? error.message : String(error) });
        return;
      }
      if (!ok) {
        finish(r, "skipped", { reason: `condition \`${step.if.source}\` is false` });
        return;
      }
    } else {
      const status = statusOf(r, table);
      if (status.dependencyFailed && !r.onError) {
        finish(r, "skipped", { reason: "a dependency failed" });
        return;
      }
    }
    const bound = await bindInputs(r, table);
    if ("skip" in bound) return finish(r, "skipped", { reason: bound.skip });
    if ("fail" in bound) return finish(r, "failed", { reason: bound.fail });

    // Cache.
    const policy = step.cache.policy;
    let key: string | null = null;
    let parts;
    if (policy !== "never") {
      const pins: Record<string, string> = {};
      for (const b of step.cache.pins) {
        pins[b] = pinDigest(lock, b);
      }
      parts = keyParts(step, bound.values, pins);
      key = cacheKey(step, parts);
      r.manifest.cache.key = key;
      usedKeys.push(key);
      const forcedHere = forced.has(step.id);
      if ((policy === "auto" || policy === "read-only") && !forcedHere) {
        const found = await cache.lookup(key);
        if (found.hit) {
          const problem = await cache.restore(found.entry, root);
          if (!problem) {
            r.outputs = found.entry.outputs;
            r.manifest.outputs = found.entry.outputs;
            r.manifest.cache.decision = "hit";
            r.manifest.cache.reason = `entry from ${found.entry.created}`;
            r.manifest.duration_ms = performance.now() - t0;
            finish(r, "cached", { key, reason: r.manifest.cache.reason });
            return;
          }
          events.emit("cache.warning", {
            step: step.id,
            key,
            reason: `corrupt entry removed: ${problem}; running the step again`,
          });
        } else if (found.corrupt) {
          cache.remove(key);
          events.emit("cache.warning", {
            step: step.id,
            key,
            reason: `corrupt entry removed: ${found.corrupt}; running the step again`,
          });
        }
      }
      const last = stepIndex[step.id];
      let reason: string;
      let changed: string[] | undefined;
      if (forcedHere) reason = `re-run requested (--from ${options.from})`;
      else if (policy === "write-only") {
        reason = "cache policy `write-only`: entries are written, never read";
      } else if (!last) reason = "no entry for this step yet";
      else if (last.key === key) reason = "the entry for this key is gone (purged or corrupt)";
      else {
        changed = changedParts(last.parts, parts);
        reason = changed.length
          ? `changed since the last entry: ${changed.join(", ")}`
          : "the key changed";
      }
      r.manifest.cache.decision = "miss";
      r.manifest.cache.reason = reason;
      events.emit("step.cache_miss", { step: step.id, key, reason, changed });
    } else {
      r.manifest.cache.decision = "disabled";
      r.manifest.cache.reason = step.uses === "human"
        ? "human steps are never cached"
        : Object.values(step.inputs).some((io) => io.type === "secret")
        ? "cache policy `never` (a step that receives a secret is not cached unless it opts in)"
        : "cache policy `never`";
    }

    // Execute, with retries.
    const isolation = options.isolation ?? "auto";
    const { permissions, os, id: policyId, binaries } = policyOf(step);
    if (isolation === "strict" && !os.record.enforced) {
      return finish(r, "failed", {
        reason:
          `--isolation strict: network ${os.record.network} cannot be enforced on this machine (${Deno.build.os}); run without --isolation strict to run it unenforced`,
      });
    }
    const adapter = await adapterFor(step);
    const maxAttempts = step.retries.max + 1;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (!mayGoOn(r)) {
        return finish(r, "cancelled", {
          reason: cancelled ? "the run was cancelled" : "the run is failing (fail-fast)",
        });
      }
      const outputFile = join(scratch, "io", `${safeName(step.id)}.${attempt}.out`);
      const logName = `logs/${safeName(step.id)}.${attempt}.log`;
      // The log is created on the first byte: most quick steps print nothing.
      let log: Deno.FsFile | undefined;
      const decoder = new TextDecoder();
      const maskStream = masker.stream();
      let logBytes = 0;
      const writeLog = async (text: string) => {
        if (!text || logBytes > maxLog) return;
        if (!log) {
          log = await Deno.open(join(runDir, logName), {
            create: true,
            write: true,
            truncate: true,
          });
          r.manifest.logs.push(logName);
        }
        let data = encoder.encode(text);
        if (logBytes + data.length > maxLog) {
          // Capped: keep the first `maxLog` bytes and say so in the log itself.
          const head = data.subarray(0, maxLog - logBytes);
          data = new Uint8Array([...head, ...encoder.encode(LOG_TRUNCATED)]);
          logBytes = maxLog + 1;
          r.manifest.metrics.log_truncated_at_bytes = maxLog;
        } else logBytes += data.length;
        let written = 0;
        while (written < data.length) written += await log.write(data.subarray(written));
      };
      const controller = new AbortController();
      running.set(step.id, { controller, r });
      let timedOut = false;
      const timer = step.timeout_ms !== null
        ? setTimeout(() => {
          timedOut = true;
          controller.abort("timeout");
        }, step.timeout_ms)
        : undefined;
      r.manifest.attempts = attempt;
      events.emit("step.started", { step: step.id, attempt, policy: policyId });
      const env = stepEnvironment(step, {
        runId,
        projectRoot: root,
        outputFile,
        tmpDir: join(scratch, "tmp"),
        attempt,
        inputs: bound.env,
        getHostEnv,
      });
      const spec = execSpecFor(step, {
        cwd: root,
        env,
        binaries,
        readRoots: permissions.read,
        writeRoots: permissions.write,
        denyRoots: permissions.deny,
        graceMs: options.graceMs ?? 2000,
        pid: ++attemptCounter,
      }, lock);
      const result = await adapter.run({
        step,
        spec,
        permissions,
        os,
        signal: controller.signal,
        graceMs: options.graceMs ?? 2000,
        write: async (chunk) => {
          const text = decoder.decode(chunk, { stream: true });
          const masked = options.redact ? options.redact(text) : maskStream.push(text);
          if (masked) options.onOutput?.(step.id, masked);
          await writeLog(masked);
        },
      });
      if (timer !== undefined) clearTimeout(timer);
      running.delete(step.id);
      // What the masker held back (a possible secret prefix) is decided only now: the console
      // gets it too, or `-v` would lose the last bytes of every step's output.
      const tail = maskStream.push(decoder.decode()) + maskStream.end();
      if (tail) options.onOutput?.(step.id, tail);
      await writeLog(tail);
      (log as Deno.FsFile | undefined)?.close();
      r.manifest.exit_code = result.exitCode;
      r.manifest.duration_ms = performance.now() - t0;
      // Per step: which policy, and what isolation was in force; the policy's permission set
      // and Deno flags are written once, in `policies` (a 10,000-step manifest stays small).
      const { deno_flags, ...rest } = result.enforcement ?? {};
      // The adapter's record wins: a container's isolation is not the host sandbox's.
      r.manifest.enforcement = { policy: policyId, ...os.record, ...rest };
      if (!manifest.policies![policyId]) {
        const flags = (deno_flags as string[] | undefined) ?? null;
        manifest.policies![policyId] = { permissions, deno_flags: flags };
        events.emit("policy.defined", {
          policy: policyId,
          permissions,
          deno_flags: flags,
        } as Partial<RunEvent>);
      }
      if (result.metrics) Object.assign(r.manifest.metrics, result.metrics);
      r.manifest.metrics.wall_ms = Math.round(result.durationMs);
      // A host or program ended by SIGINT: Ctrl-C in a terminal reaches the whole process
      // group, so the run is being interrupted (as bash reads a child's SIGINT), whichever of
      // Lily and the host saw the signal first.
      const interrupted = result.signal === "SIGINT" && !timedOut;
      if (interrupted && !cancelled) onCancel();
      if (!timedOut && (controller.signal.aborted || interrupted)) {
        return finish(r, "cancelled", {
          reason: controller.signal.reason === "fail-fast"
            ? "the run is failing (fail-fast)"
            : "the run was cancelled",
          attempt,
        });
      }
      let failure: string | undefined;
      let noCache: string[] = [];
      let failureIsExit = false;
      if (result.denied) {
        const denial = describeDenial(step, result.denied, lock);
        r.manifest.denied = denial;
        events.emit("step.denied", { step: step.id, attempt, ...denial });
        // A denial is the policy at work, not a flaky failure: no retry.
        const netNote = networkNote(step, { denied: result.denied.kind });
        if (netNote) r.manifest.notes = [netNote];
        finish(r, "failed", {
          reason: `${denial.code}: ${denial.message}`,
          attempt,
          ...(netNote ? { note: netNote } : {}),
        });
        return;
      }
      if (result.error) {
        failure = `${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ""}`;
      } else if (timedOut) failure = `timed out after ${step.timeout_ms} ms (process group killed)`;
      else if (result.exitCode !== 0) {
        failure = result.signal
          ? `killed by ${result.signal}`
          : `exited with status ${result.exitCode}`;
        failureIsExit = true;
      } else {
        // Read from masked text, no-follow, bounded (src/run/collect.ts).
        const collected = await collectOutputs(step, outputFile, { root, masker, maxBlob });
        if ("error" in collected) failure = collected.error;
        else {
          noCache = collected.noCache;
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
        }
      }
      if (failure === undefined) {
        const storing = policy === "auto" || policy === "write-only";
        for (const reason of key && storing ? noCache : []) {
          events.emit("cache.warning", {
            step: step.id,
            key: key!,
            reason: `${reason}; not cached`,
          });
        }
        if (key && parts && storing && !noCache.length) {
          const entry: Entry = {
            key,
            step: step.id,
            created: new Date().toISOString(),
            outputs: r.outputs,
          };
          try {
            await cache.store(entry, root);
            newIndex[step.id] = { key, parts, at: entry.created };
          } catch (error) {
            events.emit("cache.warning", {
              step: step.id,
              key,
              reason: `could not store the entry: ${(error as Error).message}`,
            });
          }
        }
        finish(r, "succeeded", { exit_code: result.exitCode, attempt });
        return;
      }
      if (attempt < maxAttempts && !cancelled && result.retryable !== false) {
        const base = Math.min(
          step.retries.max_backoff_ms,
          step.retries.backoff_ms * 2 ** (attempt - 1),
        );
        const delay = result.retryAfterMs ??
          Math.round(step.retries.jitter ? base * (0.5 + Math.random() / 2) : base);
        events.emit("step.retry", { step: step.id, attempt, delay_ms: delay, reason: failure });
        await sleep(delay, options.signal);
        continue;
      }
      // Only a program's own non-zero status can be the network (not Lily's errors).
      const note = networkNote(step, {
        exitCode: !result.error && !timedOut && !result.signal && failureIsExit
          ? result.exitCode
          : undefined,
      });
      if (note) r.manifest.notes = [note];
      finish(r, "failed", {
        reason: failure,
        exit_code: result.exitCode,
        attempt,
        ...(note ? { note } : {}),
      });
      return;
    }
  };

  const schedule = async (table: Map<string, StepRecord>, include: (id: string) => boolean) => {
    const waiting = new Map<string, number>();
    const dependents = new Map<string, string[]>();
    for (const r of table.values()) {
      if (!include(r.step.id)) continue;
      const needs = r.step.needs.filter((n) => table.has(n) && include(n));
      waiting.set(r.step.id, needs.length);
      for (const n of needs) dependents.set(n, [...(dependents.get(n) ?? []), r.step.id]);
    }
    const ready: string[] = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
    for (const id of ready) events.emit("step.queued", { step: id });
    const active = new Set<Promise<void>>();
    const done = (id: string) => {
      const r = table.get(id)!;
      if (r.state === "failed" && !r.onError && continueMode === "never") {
        if (!failing) {
          failing = true;
          stopRunning("fail-fast");
        }
      } else if (r.state === "failed" && !r.onError) failing = true;
      for (const child of dependents.get(id) ?? []) {
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) {
          ready.push(child);
          events.emit("step.queued", { step: child });
        }
      }
    };
    while (ready.length || active.size) {
      while (ready.length && active.size < jobs) {
        const id = ready.shift()!;
        const r = table.get(id)!;
        if (!mayGoOn(r)) {
          finish(r, cancelled ? "cancelled" : "skipped", {
            reason: cancelled ? "the run was cancelled" : "the run is failing (fail-fast)",
          });
          done(id);
          continue;
        }
        const p: Promise<void> = runStep(r, table).catch((error) => {
          finish(r, "failed", { reason: `internal error: ${(error as Error).message}` });
        }).finally(() => {
          active.delete(p);
          done(id);
        });
        active.add(p);
      }
      if (active.size) await Promise.race(active);
    }
  };

  if (options.dryRun) {
    const lines = await dryRun(lock, records, cache, bindInputs, selected);
    manifest.status = "succeeded";
    events.close();
    planLock?.close();
    await Deno.remove(runDir, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
    return {
      runId,
      runDir,
      status: "succeeded",
      manifest: { ...manifest, dry_run: lines } as Manifest,
    };
  }

  await schedule(records, (id) => selected.has(id));
  for (const r of records.values()) {
    if (!selected.has(r.step.id)) {
      r.state = "skipped";
      r.manifest.reason = "not selected (--only)";
    }
  }
  const mainFailed = [...records.values()].some((r) => r.state === "failed");
  if (mainFailed && onErrorRecords.size && !cancelled) {
    failing = true;
    await schedule(onErrorRecords, () => true);
  }
  options.signal?.removeEventListener("abort", onCancel);
  options.stop?.removeEventListener("abort", onStop);
  manifest.status = cancelled ? "cancelled" : mainFailed ? "failed" : "succeeded";
  const finished = new Date();
  manifest.finished_at = finished.toISOString();
  manifest.duration_ms = finished.getTime() - started.getTime();
  if (lock.plan.outputs.length) {
    manifest.outputs = workflowOutputValues(lock, (id) => records.get(id)?.manifest.outputs);
  }
  await cache.recordNamespace(lock.spec_hash, usedKeys).catch(() => {});
  await cache.updateStepIndex(newIndex).catch(() => {});
  cache.close();
  await writeManifest();
  events.emit("run.finished", { status: manifest.status, duration_ms: manifest.duration_ms });
  for (const adapter of adapters.values()) await (await adapter).close?.();
  events.close();
  planLock?.close();
  await Deno.remove(scratch, { recursive: true }).catch(() => {});
  return { runId, runDir, status: manifest.status, manifest };
}

/**
 * Holds `.lily/locks/<spec_hash>.lock` for the run (an OS file lock, released when the process
 * ends however it ends). Resolves to undefined when the run is cancelled while waiting.
 */
async function lockPlan(
  root: string,
  specHash: string,
  signal: AbortSignal | undefined,
  onWait: () => void,
): Promise<Deno.FsFile | undefined> {
  const dir = join(root, ".lily", "locks");
  await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.open(join(dir, `${specHash.replace(/^sha256:/, "").slice(0, 32)}.lock`), {
    create: true,
    write: true,
  });
  const timer = setTimeout(onWait, 150);
  const cancelled = new Promise<"cancelled">((resolve) => {
    if (signal?.aborted) resolve("cancelled");
    signal?.addEventListener("abort", () => resolve("cancelled"), { once: true });
  });
  const got = await Promise.race([file.lock(true).then(() => "locked" as const), cancelled]);
  clearTimeout(timer);
  return got === "locked" ? file : undefined;
}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, "_");
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

/**
 * Creates `.lily/` with a `.gitignore` of `*`: run records, the cache and locks are local
 * state, never committed (as `target/` under cargo; the file lives inside, so the project's
 * own `.gitignore` needs no line).
 */
async function ensureLilyDir(root: string): Promise<void> {
  const dir = join(root, ".lily");
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.writeTextFile(
      join(dir, ".gitignore"),
      "# Lily's local state (runs, cache, locks): never committed.\n*\n",
      { createNew: true },
    );
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}

function unknownStep(flag: string, id: string, all: string[]): LilyError {
  const guess = didYouMean(id, all);
  return new LilyError(
    flag === "--only" ? "LILY-E0801" : "LILY-E0802",
    `${flag} names \`${id}\`, which is not a step of this lock`,
    {
      flag: `${flag} ${id}`,
      hint: `${guess ? `did you mean \`${guess}\`? ` : ""}steps: ${all.slice(0, 12).join(", ")}${
        all.length > 12 ? ", …" : ""
      }`,
    },
  );
}

function selectSteps(lock: LockFile, only: string[] | undefined): Set<string> {
  const all = new Set(lock.plan.steps.map((s) => s.id));
  if (!only || only.length === 0) return all;
  const byId = new Map(lock.plan.steps.map((s) => [s.id, s]));
  const out = new Set<string>();
  const stack = [...only];
  const unknown = only.filter((id) => !byId.has(id));
  if (unknown.length === 1) throw unknownStep("--only", unknown[0], [...all]);
  if (unknown.length > 1) {
    throw new LilyErrors(unknown.map((id) => unknownStep("--only", id, [...all])));
  }
  while (stack.length) {
    const id = stack.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  return out;
}

function descendants(lock: LockFile, from: string): Set<string> {
  if (!lock.plan.steps.some((s) => s.id === from)) {
    throw unknownStep("--from", from, lock.plan.steps.map((s) => s.id));
  }
  const out = new Set([from]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of lock.plan.steps) {
      if (!out.has(s.id) && s.needs.some((n) => out.has(n))) {
        out.add(s.id);
        grew = true;
      }
    }
  }
  return out;
}

async function dryRun(
  lock: LockFile,
  records: Map<string, StepRecord>,
  cache: CacheStore,
  bind: (
    r: StepRecord,
    t: Map<string, StepRecord>,
  ) => Promise<{ values: Record<string, InputValue> } | { skip: string } | { fail: string }>,
  selected: Set<string>,
): Promise<string[]> {
  const lines: string[] = [];
  const willRun = new Set<string>();
  for (const step of lock.plan.steps) {
    if (!selected.has(step.id)) continue;
    const r = records.get(step.id)!;
    const upstreamRuns = Object.values(step.inputs).map((io) =>
      /^steps\.([^.]+)\./.exec(io.from ?? "")?.[1]
    ).filter((id) => id && willRun.has(id));
    if (upstreamRuns.length) {
      willRun.add(step.id);
      lines.push(
        `${step.id}: would run after ${upstreamRuns.join(", ")} (its key depends on their outputs)`,
      );
      continue;
    }
    if (step.cache.policy === "never") {
      willRun.add(step.id);
      lines.push(`${step.id}: would run (cache policy never)`);
      continue;
    }
    const bound = await bind(r, records);
    if (!("values" in bound)) {
      willRun.add(step.id);
      lines.push(`${step.id}: would run (${"skip" in bound ? bound.skip : bound.fail})`);
      continue;
    }
    const pins: Record<string, string> = {};
    for (const b of step.cache.pins) pins[b] = pinDigest(lock, b);
    const parts = keyParts(step, bound.values, pins);
    const key = cacheKey(step, parts);
    const found = await cache.lookup(key);
    if (found.hit && step.cache.policy !== "write-only") {
      r.state = "cached";
      r.outputs = found.entry.outputs;
      lines.push(`${step.id}: cached (${key.slice(0, 12)})`);
    } else {
      willRun.add(step.id);
      const last = (await cache.stepIndex())[step.id];
      const changed = last ? changedParts(last.parts, parts) : [];
      lines.push(
        `${step.id}: would run (${
          last ? (changed.length ? `changed: ${changed.join(", ")}` : "entry gone") : "no entry yet"
        })`,
      );
    }
  }
  return lines;
}
