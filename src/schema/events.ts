/**
 * Run events (JSON lines in `.lily/runs/<id>/events.jsonl`, or stdout with `--events -`) and
 * the run manifest. docs/schema/events.schema.json and manifest.schema.json are generated
 * from these models.
 * @module
 */
import { z } from "zod";

import { EVENTS_VERSION } from "./versions.ts";

export { EVENTS_VERSION };

/** Event types. */
export const EVENT_TYPES = [
  "run.started",
  "run.waiting",
  "run.finished",
  "step.queued",
  "step.started",
  "step.skipped",
  "step.cache_hit",
  "step.cache_miss",
  "step.retry",
  "step.output",
  "step.finished",
  "step.failed",
  "step.cancelled",
  "step.denied",
  "policy.defined",
  "cache.warning",
  "foreach.expanded",
  "human.answered",
] as const;

/** One event. Fields beyond the common ones depend on `type`. */
export const RunEvent = z.object({
  v: z.literal(EVENTS_VERSION),
  seq: z.int().min(0).describe("Monotonic sequence number within the run"),
  ts: z.string().describe("ISO-8601 UTC time"),
  run: z.string(),
  type: z.enum(EVENT_TYPES),
  step: z.string().optional(),
  attempt: z.int().optional(),
  reason: z.string().optional().describe("Why: a skip, a cache decision, a failure"),
  key: z.string().optional().describe("Cache key"),
  changed: z.array(z.string()).optional().describe(
    "Key components that changed since the last entry",
  ),
  exit_code: z.int().nullable().optional(),
  duration_ms: z.number().optional(),
  delay_ms: z.number().optional(),
  name: z.string().optional(),
  value: z.unknown().optional(),
  status: z.string().optional(),
  spec_hash: z.string().optional(),
  steps: z.int().optional(),
}).catchall(z.unknown());
/** One event. */
export type RunEvent = z.infer<typeof RunEvent>;

/** A step's record in the manifest. */
export const ManifestStep = z.object({
  status: z.enum(["succeeded", "failed", "skipped", "cached", "cancelled", "pending"]),
  attempts: z.int().min(0),
  exit_code: z.int().nullable(),
  duration_ms: z.number(),
  cache: z.object({
    policy: z.string(),
    decision: z.enum(["hit", "miss", "disabled", "not-run"]),
    key: z.string().nullable(),
    reason: z.string(),
  }),
  reason: z.string().optional(),
  error: z.string().optional(),
  notes: z.array(z.string()).optional().describe(
    "Facts that may explain a failure (for example: the step ran without network)",
  ),
  outputs: z.record(
    z.string(),
    z.object({
      type: z.string(),
      value: z.unknown().optional(),
      path: z.string().optional(),
      sha256: z.string().optional(),
      size: z.int().optional(),
    }),
  ),
  logs: z.array(z.string()),
  metrics: z.record(z.string(), z.number()),
  enforcement: z.record(z.string(), z.unknown()).optional(),
  artifacts: z.record(
    z.string(),
    z.object({ path: z.string(), sha256: z.string(), size: z.int() }),
  ).optional().describe(
    "Records an attempt wrote in the run's directory (an llm step's `request` and `response`), path relative to the run",
  ),
  denied: z.object({
    code: z.string(),
    kind: z.string().describe("run, read, write, env or net"),
    target: z.string().describe("The program, path, variable or host refused"),
    message: z.string(),
    hint: z.string().describe("The policy line that would allow it"),
  }).optional().describe("What the step's policy refused (the step failed because of it)"),
  foreach: z.object({
    source: z.string(),
    keys: z.array(z.string()),
  }).optional().describe("A foreach expanded at run time: where its items came from, their keys"),
  human: z.object({
    prompt: z.string(),
    answer: z.union([z.boolean(), z.string()]),
    via: z.enum(["tty", "flag", "file"]).describe(
      "tty: typed at the terminal; flag: --approve; file: --answers",
    ),
    by: z.string().describe("The OS user who answered (who ran Lily)"),
    source: z.string().optional().describe("The flag as typed, or FILE:LINE:COL"),
    answered_at: z.string(),
  }).optional().describe("A human gate's answer (docs/human.md)"),
});
/** A step's record in the manifest. */
export type ManifestStep = z.infer<typeof ManifestStep>;

/** `manifest.json` of a run. */
export const Manifest = z.object({
  schema_version: z.literal(1),
  run_id: z.string(),
  name: z.string(),
  spec_hash: z.string(),
  lock_path: z.string().nullable(),
  status: z.enum(["running", "succeeded", "failed", "cancelled"]),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number(),
  jobs: z.int(),
  params: z.record(z.string(), z.unknown()),
  steps: z.record(z.string(), ManifestStep),
  counts: z.record(z.string(), z.int()),
  outputs: z.record(
    z.string(),
    z.object({
      from: z.string(),
      type: z.string(),
      value: z.unknown().optional(),
      path: z.string().optional(),
      sha256: z.string().optional(),
    }).nullable(),
  ).optional().describe(
    "The workflow's `outputs:`: each one's source and the value (or file) it had; null when its step did not produce it",
  ),
  policies: z.record(
    z.string(),
    z.object({
      permissions: z.object({
        run: z.array(z.string()),
        read: z.array(z.string()),
        write: z.array(z.string()),
        deny: z.array(z.string()),
        net: z.union([z.boolean(), z.array(z.string())]),
        env: z.array(z.string()),
      }),
      deno_flags: z.array(z.string()).nullable().describe(
        "The host's Deno permission flags (null: not run in a Deno host)",
      ),
    }),
  ).optional().describe(
    "Permission sets used by the run's steps, by id (a step's `enforcement.policy`)",
  ),
});
/** `manifest.json` of a run. */
export type Manifest = z.infer<typeof Manifest>;
