/**
 * The lock file: the fully resolved plan that `run` executes without reading any source.
 * Validated with these models on every read. Bump LOCK_SCHEMA_VERSION on breaking changes.
 * @module
 */
import { z } from "zod";
import { ADAPTERS, CACHE_POLICIES, STEP_KINDS, VALUE_TYPES } from "./petal.ts";

/** Version of the lock format written by this Lily. */
export const LOCK_SCHEMA_VERSION = "1";
/** Version of the `if:` expression language (compiled ASTs in the lock). */
export const EXPR_LANG = "lily-expr/1";
/** Version of the cache-key formula. Bump when what enters a key changes. */
export const CACHE_KEY_FORMULA = "lily-cache/1";

const sha = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** A compiled `if:` condition. */
export const LockCondition = z.strictObject({
  source: z.string(),
  /** The AST (see src/expr); `run` evaluates it without parsing. */
  ast: z.unknown(),
  /** Status function governing the step: explicit, or `success` when none is used. */
  status: z.enum(["success", "failure", "always", "cancelled"]),
});

/** A typed input or output, resolved. */
export const LockIO = z.strictObject({
  type: z.enum(VALUE_TYPES),
  required: z.boolean(),
  from: z.string().optional(),
  path: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
});
/** A resolved input or output. */
export type LockIO = z.infer<typeof LockIO>;

/**
 * How a step's cache key is formed. `static` hashes everything known at compose time (see
 * `components`); at run time the key is sha256(formula, static, salt, input values and the
 * content of input files, pins of `binaries`).
 */
export const LockCacheKey = z.strictObject({
  formula: z.string(),
  policy: z.enum(CACHE_POLICIES),
  /** sha256 over the component digests below. */
  static: sha,
  /** Digest (16 hex digits) of each part of the step that enters the key (for `diff` and `--why`). */
  components: z.record(z.string(), z.string().regex(/^[0-9a-f]{16}$/)),
  /** Input names whose run-time values enter the key. */
  inputs: z.array(z.string()),
  /** Binaries whose pins enter the key. */
  pins: z.array(z.string()),
  /**
   * Per component (`command`, `env`), the params/vars its templates read and their values (or
   * digests): names what changed on a miss. Not part of the key.
   */
  refs: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
/** How a step's cache key is formed. */
export type LockCacheKey = z.infer<typeof LockCacheKey>;

/** A step, fully resolved: templates rendered, defaults filled in, condition compiled. */
export const LockStep = z.strictObject({
  id: z.string(),
  uses: z.enum(STEP_KINDS),
  adapter: z.enum(ADAPTERS),
  level: z.int().min(0),
  needs: z.array(z.string()),
  if: LockCondition.nullable(),
  timeout_ms: z.int().positive().nullable(),
  retries: z.strictObject({
    max: z.int().min(0),
    backoff_ms: z.int().min(0),
    max_backoff_ms: z.int().min(0),
    jitter: z.boolean(),
  }),
  env: z.record(z.string(), z.string()),
  inputs: z.record(z.string(), LockIO),
  outputs: z.record(z.string(), LockIO),
  resources: z.strictObject({
    network: z.union([z.boolean(), z.array(z.string())]),
    binaries: z.array(z.string()),
    env: z.array(z.string()),
    cpu: z.number().optional(),
    memory: z.string().optional(),
    gpu: z.boolean().optional(),
  }),
  cache: LockCacheKey,
  with: z.record(z.string(), z.unknown()),
  description: z.string().optional(),
  /** Template outputs inserted as shell code (`| shell_code`): `with.run: params.cmd | shell_code`. */
  shell_code: z.array(z.string()).optional(),
});
/** A resolved step. */
export type LockStep = z.infer<typeof LockStep>;

/** A resolved parameter: its value, or for a secret a marker saying where it comes from. */
export const LockParam = z.union([
  z.strictObject({ type: z.enum(VALUE_TYPES).exclude(["secret"]), value: z.unknown() }),
  z.strictObject({
    type: z.literal("secret"),
    secret: z.literal(true),
    source: z.string(),
    required: z.boolean(),
  }),
]);
/** A resolved parameter. */
export type LockParam = z.infer<typeof LockParam>;

/** A pinned binary. */
export const BinaryPin = z.strictObject({
  path: z.string(),
  sha256: z.string().nullable(),
  version: z.string().nullable(),
});

/**
 * A declared tool a `tool` step uses: where its program is (process: path and sha256 of the
 * binary, like its binary pin) or which image (docker: reference, digest once resolved), its
 * version constraint and probe, and the version `lily sync` took (null until then).
 */
export const ToolPin = z.strictObject({
  binary: z.string().optional(),
  path: z.string().optional(),
  sha256: z.string().nullable().optional(),
  image: z.string().optional(),
  digest: z.string().nullable().optional(),
  constraint: z.string().nullable(),
  version_args: z.array(z.string()),
  version_pattern: z.string().nullable(),
  version: z.string().nullable(),
});
/** A pinned tool. */
export type ToolPin = z.infer<typeof ToolPin>;

/** The whole lock file. */
export const LockFile = z.strictObject({
  schema_version: z.literal(LOCK_SCHEMA_VERSION),
  petal_version: z.string(),
  name: z.string(),
  description: z.string().optional(),
  provenance: z.strictObject({
    /** The project root, relative to the lock file's directory (posix, e.g. `..`). */
    project_root: z.string(),
    composer: z.strictObject({ name: z.string(), version: z.string(), mode: z.literal("native") }),
    sources: z.array(z.strictObject({
      path: z.string(),
      role: z.enum(["flow", "base", "overlay", "profile", "lilyrc", "tools", "fragment"]),
      sha256: z.string(),
    })),
    profile: z.string().nullable(),
    /**
     * Where `env_policy` came from: `.lilyrc` (the project root's, relative to it) or
     * `defaults` (no trusted .lilyrc). Relative, so the lock is the same on every machine.
     */
    policy: z.string().optional(),
    /** Overlays given on the command line (project-relative), applied after the flow's own. */
    overlays: z.array(z.string()),
    overrides: z.record(z.string(), z.string()),
    sweep: z.record(z.string(), z.string()).nullable(),
    /** Values in the plan that do not come from the sources (clock, random): not drift. */
    nondeterministic: z.array(z.strictObject({ kind: z.string(), where: z.string() })),
    /** The clock (`SOURCE_DATE_EPOCH` seconds) templates saw, when they used `now`. */
    clock: z.int().nullable(),
    /** Host variables read by templates, with a digest of each value. */
    env_reads: z.record(z.string(), z.string()),
    /** `uses: include`: each include's id (its steps' prefix) → its fragment (docs/include.md). */
    includes: z.record(z.string(), z.string()).optional(),
  }),
  spec_hash: sha,
  execution_contract: z.strictObject({
    render_passes: z.literal(1),
    expression_lang: z.string(),
    cache_key_formula: z.string(),
    defaults_frozen: z.boolean(),
  }),
  env_policy: z.strictObject({
    network_default: z.boolean(),
    allowed_binaries: z.array(z.string()),
    secrets_sources: z.array(z.string()),
    read_roots: z.array(z.string()),
    write_roots: z.array(z.string()),
    template_env: z.array(z.string()),
  }),
  artifacts: z.strictObject({ backend: z.string(), root: z.string() }).catchall(z.unknown()),
  registry_pins: z.strictObject({
    binaries: z.record(z.string(), BinaryPin),
    images: z.record(z.string(), z.string()),
    models: z.record(z.string(), z.string()),
    /**
     * Python packages of `python` steps: interpreter (as the step names it) → package →
     * version, taken by `lily sync` (null until then). Outside spec_hash, like every pin.
     */
    python_packages: z.record(z.string(), z.record(z.string(), z.string().nullable()))
      .optional(),
    /** Tools of `tool` steps, per adapter (docs/tools.md); `lily sync` takes their versions. */
    tools: z.record(z.string(), z.record(z.string(), ToolPin)).optional(),
  }),
  params: z.record(z.string(), LockParam),
  env: z.record(z.string(), z.string()),
  vars: z.record(z.string(), z.string()),
  plan: z.strictObject({
    levels: z.array(z.array(z.string())),
    steps: z.array(LockStep),
    on_error: z.array(LockStep),
    outputs: z.array(z.record(z.string(), z.unknown())),
  }),
});
/** The whole lock file. */
export type LockFile = z.infer<typeof LockFile>;
