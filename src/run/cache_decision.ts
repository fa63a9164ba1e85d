/**
 * The cache decision of a step, shared by the run and the dry run: its key (from the bound
 * inputs and the pinned programs), whether the cache may answer (the step's policy,
 * `--from`), what it holds for the key, and — on a miss — why, from the parts that changed
 * since the step's last entry. Looks up; restores, removes and stores nothing.
 * @module
 */
import { cacheKey, changedParts, type InputValue, type KeyParts, keyParts } from "../cache/key.ts";
import type { CacheStore, Entry, StepRecordParts } from "../cache/store.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { pinDigest } from "../steps/docker_pins.ts";

/** What a decision reads. */
export interface CacheContext {
  lock: Pick<LockFile, "registry_pins">;
  cache: Pick<CacheStore, "lookup">;
  /** The key parts of each step's last entry (the cache's step index). */
  stepIndex: Record<string, StepRecordParts>;
  /** The steps `--from` re-runs whatever the cache holds. */
  forced: ReadonlySet<string>;
  /** The `--from` step (said in the reason). */
  from?: string;
}

/** A decision: the cache is off for the step, holds its outputs, or does not. */
export type CacheDecision =
  | { decision: "disabled"; reason: string }
  | { decision: "hit"; key: string; parts: KeyParts; entry: Entry }
  | {
    decision: "miss";
    key: string;
    parts: KeyParts;
    /** The run's sentence (the manifest, `step.cache_miss`). */
    reason: string;
    /** The dry run's short form. */
    brief: string;
    /** The key parts that changed since the step's last entry. */
    changed?: string[];
    /** Set when the entry for the key exists but its record is corrupt (remove it). */
    corrupt?: string;
  };

/** Why a step's cache policy `never` holds (the manifest's reason). */
export function disabledReason(step: LockStep): string {
  return step.uses === "human"
    ? "human gates are never cached, whatever `cache:` says: a gate asks (or takes --approve/--answers) every run"
    : Object.values(step.inputs).some((io) => io.type === "secret")
    ? "cache policy `never` (a step that receives a secret is not cached unless it opts in)"
    : "cache policy `never`";
}

/**
 * Decides for `step` with inputs `values` (bound by bind_inputs.ts).
 *
 * @example
 * ```ts
 * import { decideCache } from "./cache_decision.ts";
 * import type { LockStep } from "../schema/lock.ts";
 * const step = { id: "a", uses: "shell", inputs: {}, cache: { policy: "never" } };
 * const d = decideCache(step as unknown as LockStep, {}, {
 *   lock: { registry_pins: { binaries: {} } } as never,
 *   cache: { lookup: () => ({ hit: false }) },
 *   stepIndex: {},
 *   forced: new Set(),
 * });
 * if (d.decision !== "disabled" || d.reason !== "cache policy `never`") throw new Error(d.decision);
 * ```
 */
export function decideCache(
  step: LockStep,
  values: Record<string, InputValue>,
  context: CacheContext,
): CacheDecision {
  const policy = step.cache.policy;
  // A gate asks every run, whatever its lock says (a hand-edited policy included).
  if (policy === "never" || step.uses === "human") {
    return { decision: "disabled", reason: disabledReason(step) };
  }
  const pins: Record<string, string> = {};
  // A binary's sha256, or a docker image's digest (steps/docker_pins.ts).
  for (const b of step.cache.pins) pins[b] = pinDigest(context.lock, b);
  const parts = keyParts(step, values, pins);
  const key = cacheKey(step, parts);
  let corrupt: string | undefined;
  if ((policy === "auto" || policy === "read-only") && !context.forced.has(step.id)) {
    const found = context.cache.lookup(key);
    if (found.hit) return { decision: "hit", key, parts, entry: found.entry };
    corrupt = found.corrupt;
  }
  return { ...missDecision(step, { key, parts }, context), ...(corrupt ? { corrupt } : {}) };
}

/**
 * The miss for `key`: also the decision when a hit cannot be restored (its blobs are gone or
 * corrupt), so the reason says the entry is gone.
 */
export function missDecision(
  step: LockStep,
  computed: { key: string; parts: KeyParts },
  context: Pick<CacheContext, "stepIndex" | "forced" | "from">,
): Extract<CacheDecision, { decision: "miss" }> {
  const { key, parts } = computed;
  const last = context.stepIndex[step.id];
  if (context.forced.has(step.id)) {
    const reason = `re-run requested (--from ${context.from})`;
    return { decision: "miss", key, parts, reason, brief: reason };
  }
  if (step.cache.policy === "write-only") {
    return {
      decision: "miss",
      key,
      parts,
      reason: "cache policy `write-only`: entries are written, never read",
      brief: "cache policy write-only",
    };
  }
  if (!last) {
    return {
      decision: "miss",
      key,
      parts,
      reason: "no entry for this step yet",
      brief: "no entry yet",
    };
  }
  if (last.key === key) {
    return {
      decision: "miss",
      key,
      parts,
      reason: "the entry for this key is gone (purged or corrupt)",
      brief: "entry gone",
    };
  }
  const changed = changedParts(last.parts, parts);
  return {
    decision: "miss",
    key,
    parts,
    reason: changed.length
      ? `changed since the last entry: ${changed.join(", ")}`
      : "the key changed",
    brief: changed.length ? `changed: ${changed.join(", ")}` : "entry gone",
    changed,
  };
}
