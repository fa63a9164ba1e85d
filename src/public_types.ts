/**
 * The types of the library API (mod.ts), written out. The zod models in src/schema/ are the
 * single definition of the formats; their inferred types cannot be published to JSR (type
 * inference through zod is a "slow type"), so the public API names these, and
 * tests/public_types_test.ts fails type checking whenever the two disagree.
 * @module
 */
import type { LilyError } from "./errors.ts";

/** Value types of params, inputs and outputs. */
export type ValueType =
  | "str"
  | "int"
  | "float"
  | "bool"
  | "path"
  | "file"
  | "dir"
  | "json"
  | "secret"
  | "bytes";
/** Step kinds (`uses:`). */
export type StepKind =
  | "shell"
  | "process"
  | "python"
  | "llm"
  | "human"
  | "foreach"
  | "include"
  | "tool";
/** Adapters named by a step (`adapter:`). */
export type AdapterName = "process" | "docker" | "python" | "http";
/** Cache policies. */
export type CachePolicy = "auto" | "never" | "read-only" | "write-only";

/** A workflow parameter (Petal `params.<name>`). */
export interface Param {
  type: ValueType;
  required?: boolean;
  default?: unknown;
  help?: string;
  choices?: (string | number | boolean)[];
  source?: string;
}

/** A typed input or output of a step (Petal). */
export interface IODecl {
  type?: ValueType;
  required?: boolean;
  schema?: Record<string, unknown>;
  from?: string;
  path?: string;
}

/** One step of a workflow (Petal). */
export interface Step {
  id: string;
  uses: StepKind;
  description?: string;
  needs?: string[];
  if?: string;
  timeout?: string;
  retries?: { max: number; backoff?: string; max_backoff?: string; jitter?: boolean };
  env?: Record<string, string | number | boolean>;
  inputs?: Record<string, IODecl>;
  outputs?: Record<string, IODecl>;
  cache?: { policy?: CachePolicy; salt?: string };
  resources?: {
    network?: boolean | string[];
    binaries?: string[];
    env?: string[];
    cpu?: number;
    memory?: string;
    gpu?: boolean;
  };
  adapter?: AdapterName;
  with?: Record<string, unknown>;
}

/** A Petal workflow document. */
export interface Petal {
  petal: "1" | 1;
  name: string;
  description?: string;
  extends?: string;
  overlays?: string[];
  params?: Record<string, Param>;
  env?: Record<string, string | number | boolean>;
  vars?: Record<string, string | number | boolean>;
  steps: Step[];
  outputs?: Record<string, unknown>[];
  on_error?: Step[];
  artifacts?: Record<string, unknown>;
}

/** A resolved input or output (lock). */
export interface LockIO {
  type: ValueType;
  required: boolean;
  from?: string;
  path?: string;
  schema?: Record<string, unknown>;
}

/** How a step's cache key is formed (lock; see docs/lock.md). */
export interface LockCacheKey {
  formula: string;
  policy: CachePolicy;
  static: string;
  components: Record<string, string>;
  inputs: string[];
  pins: string[];
  refs?: Record<string, Record<string, string>>;
}

/** A resolved step (lock). */
export interface LockStep {
  id: string;
  uses: StepKind;
  adapter: AdapterName;
  level: number;
  needs: string[];
  if: {
    source: string;
    ast: unknown;
    status: "success" | "failure" | "always" | "cancelled";
  } | null;
  timeout_ms: number | null;
  retries: { max: number; backoff_ms: number; max_backoff_ms: number; jitter: boolean };
  env: Record<string, string>;
  inputs: Record<string, LockIO>;
  outputs: Record<string, LockIO>;
  resources: {
    network: boolean | string[];
    binaries: string[];
    env: string[];
    cpu?: number;
    memory?: string;
    gpu?: boolean;
  };
  cache: LockCacheKey;
  with: Record<string, unknown>;
  description?: string;
  /** Template outputs inserted as shell code (`| shell_code`), for review. */
  shell_code?: string[];
}

/** A resolved parameter: its value, or for a secret where it is read. */
export type LockParam =
  | { type: Exclude<ValueType, "secret">; value: unknown }
  | { type: "secret"; secret: true; source: string; required: boolean };

/** A pinned tool (`registry_pins.tools`): its program or image, version constraint and version. */
export interface ToolPin {
  binary?: string;
  path?: string;
  sha256?: string | null;
  image?: string;
  digest?: string | null;
  constraint: string | null;
  version_args: string[];
  version_pattern: string | null;
  version: string | null;
}

/** The whole lock file (see docs/lock.md). */
export interface LockFile {
  schema_version: "1";
  petal_version: string;
  name: string;
  description?: string;
  provenance: {
    project_root: string;
    composer: { name: string; version: string; mode: "native" };
    sources: {
      path: string;
      role: "flow" | "base" | "overlay" | "profile" | "lilyrc" | "tools" | "fragment";
      sha256: string;
    }[];
    profile: string | null;
    /** Where `env_policy` came from: `.lilyrc` (relative to the project root) or `defaults`. */
    policy?: string;
    overlays: string[];
    overrides: Record<string, string>;
    sweep: Record<string, string> | null;
    nondeterministic: { kind: string; where: string }[];
    clock: number | null;
    env_reads: Record<string, string>;
    includes?: Record<string, string>;
  };
  spec_hash: string;
  execution_contract: {
    render_passes: 1;
    expression_lang: string;
    cache_key_formula: string;
    defaults_frozen: boolean;
  };
  env_policy: {
    network_default: boolean;
    allowed_binaries: string[];
    secrets_sources: string[];
    read_roots: string[];
    write_roots: string[];
    template_env: string[];
  };
  artifacts: { backend: string; root: string; [key: string]: unknown };
  registry_pins: {
    binaries: Record<string, { path: string; sha256: string | null; version: string | null }>;
    images: Record<string, string>;
    models: Record<string, string>;
    /** Python packages of `python` steps: interpreter → package → version (null until sync). */
    python_packages?: Record<string, Record<string, string | null>>;
    /** Tools of `tool` steps: adapter → tool → pin (docs/tools.md). */
    tools?: Record<string, Record<string, ToolPin>>;
  };
  params: Record<string, LockParam>;
  env: Record<string, string>;
  vars: Record<string, string>;
  plan: {
    levels: string[][];
    steps: LockStep[];
    on_error: LockStep[];
    outputs: Record<string, unknown>[];
  };
}

/** One run event (see docs/events.md). Fields beyond the common ones depend on `type`. */
export interface RunEvent {
  v: 1;
  seq: number;
  ts: string;
  run: string;
  type:
    | "run.started"
    | "run.waiting"
    | "run.finished"
    | "step.queued"
    | "step.started"
    | "step.skipped"
    | "step.cache_hit"
    | "step.cache_miss"
    | "step.retry"
    | "step.output"
    | "step.finished"
    | "step.failed"
    | "step.cancelled"
    | "step.denied"
    | "policy.defined"
    | "cache.warning"
    | "foreach.expanded"
    | "human.answered";
  step?: string;
  attempt?: number;
  reason?: string;
  key?: string;
  changed?: string[];
  exit_code?: number | null;
  duration_ms?: number;
  delay_ms?: number;
  name?: string;
  value?: unknown;
  status?: string;
  spec_hash?: string;
  steps?: number;
  [key: string]: unknown;
}

/** A step's record in the manifest. */
export interface ManifestStep {
  status: "succeeded" | "failed" | "skipped" | "cached" | "cancelled" | "pending";
  attempts: number;
  exit_code: number | null;
  duration_ms: number;
  cache: {
    policy: string;
    decision: "hit" | "miss" | "disabled" | "not-run";
    key: string | null;
    reason: string;
  };
  reason?: string;
  error?: string;
  /** Facts that may explain a failure (for example: the step ran without network). */
  notes?: string[];
  outputs: Record<
    string,
    { type: string; value?: unknown; path?: string; sha256?: string; size?: number }
  >;
  logs: string[];
  metrics: Record<string, number>;
  enforcement?: Record<string, unknown>;
  /** Records an attempt wrote in the run's directory (an llm step's request and response). */
  artifacts?: Record<string, { path: string; sha256: string; size: number }>;
  denied?: { code: string; kind: string; target: string; message: string; hint: string };
  foreach?: { source: string; keys: string[] };
  /** A human gate's answer (docs/human.md). */
  human?: {
    prompt: string;
    answer: boolean | string;
    /** `tty`: typed at the terminal; `flag`: `--approve`; `file`: `--answers`. */
    via: "tty" | "flag" | "file";
    /** The OS user who answered (who ran Lily). */
    by: string;
    /** The flag as typed, or `FILE:LINE:COL`. */
    source?: string;
    answered_at: string;
  };
}

/** `manifest.json` of a run (see docs/events.md). */
export interface Manifest {
  schema_version: 1;
  run_id: string;
  name: string;
  spec_hash: string;
  lock_path: string | null;
  status: "running" | "succeeded" | "failed" | "cancelled";
  started_at: string;
  finished_at: string | null;
  duration_ms: number;
  jobs: number;
  params: Record<string, unknown>;
  steps: Record<string, ManifestStep>;
  counts: Record<string, number>;
  /** The workflow's `outputs:`: source and value (or file); null when not produced. */
  outputs?: Record<
    string,
    { from: string; type: string; value?: unknown; path?: string; sha256?: string } | null
  >;
  policies?: Record<string, {
    permissions: {
      run: string[];
      read: string[];
      write: string[];
      deny: string[];
      net: boolean | string[];
      env: string[];
    };
    deno_flags: string[] | null;
  }>;
}

/** Options of {@linkcode compose} in mod.ts. */
export interface ComposeOptions {
  /** Profile name (`profiles/<name>.yaml`); defaults to `.lilyrc`'s `profile`. */
  profile?: string;
  /** Overlay files applied after the workflow's own overlays (paths relative to `cwd`). */
  overlays?: string[];
  /** `-p key=value` overrides, as typed on the command line. */
  params?: Record<string, string>;
  /** `-m key=a,b` sweeps: one lock per point of the cartesian product. */
  sweep?: Record<string, string[]>;
  /** Where the lock goes: a file (one point) or a directory (sweeps). Default: `<root>/locks/`. */
  output?: string;
  cwd?: string;
  /** Host environment lookup (templates' `env` filter, SOURCE_DATE_EPOCH). */
  getEnv?: (name: string) => string | undefined;
}

/** One composed lock. */
export interface ComposedPoint {
  lock: LockFile;
  /** The lock's canonical text. */
  text: string;
  /** Absolute path the lock belongs at. */
  outputPath: string;
  projectRoot: string;
  /** The sweep values of this point, or null without sweeps. */
  sweep: Record<string, string> | null;
  /** Problems that do not stop compose (an ignored .lilyrc, undeclared reads), positioned. */
  warnings: LilyError[];
}

/** Options of {@linkcode run} in mod.ts (the `lily run` flags, as a library). */
export interface RunOptions {
  /** The project root; default: from the lock's `provenance.project_root`. */
  projectRoot?: string;
  jobs?: number;
  only?: string[];
  from?: string;
  dryRun?: boolean;
  continueMode?: "never" | "dependencies-successful" | "always";
  /** `-` streams events to stdout; a path writes a copy there. */
  events?: string;
  signal?: AbortSignal;
  graceMs?: number;
  /** Receives every event as it is emitted. */
  onEvent?: (event: RunEvent) => void;
  cacheDir?: string;
  /** OS isolation: `auto` (enforce where possible), `none`, `strict`. */
  isolation?: "auto" | "none" | "strict";
}

/** What a run returns. */
export interface RunResult {
  runId: string;
  runDir: string;
  status: Manifest["status"];
  manifest: Manifest;
}
