/**
 * The Petal language as zod models: the single definition from which validation, TypeScript
 * types and the published JSON Schema (docs/schema/petal.schema.json) all come.
 * @module
 */
import { z } from "zod";

/** Value types of params, inputs and outputs. */
export const VALUE_TYPES = [
  "str",
  "int",
  "float",
  "bool",
  "path",
  "file",
  "dir",
  "json",
  "secret",
  "bytes",
] as const;
/** One of {@linkcode VALUE_TYPES}. */
export type ValueType = typeof VALUE_TYPES[number];

/** Step kinds (`uses:`). */
export const STEP_KINDS = [
  "shell",
  "process",
  "python",
  "llm",
  "human",
  "foreach",
  "include",
  "tool",
] as const;
/** Adapters that execute a step. */
export const ADAPTERS = ["process", "docker", "python", "http"] as const;
/** Cache policies. */
export const CACHE_POLICIES = ["auto", "never", "read-only", "write-only"] as const;

const ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Durations: `500ms`, `2s`, `1m30s`, `1h`. */
export const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

const valueType = z.enum(VALUE_TYPES).describe("Value type");
const duration = z.string().regex(DURATION, "a duration such as `500ms`, `2s` or `1m30s`");
const scalarString = z.union([z.string(), z.number(), z.boolean()]).describe(
  "A string (numbers and booleans are converted)",
);

/** A workflow parameter. */
export const Param = z.strictObject({
  type: valueType,
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  help: z.string().optional(),
  choices: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  source: z.string().regex(
    /^(env:[A-Za-z_][A-Za-z0-9_]*|keyring:[^/]+\/.+)$/,
    "`env:VAR` or `keyring:SERVICE/ACCOUNT`",
  )
    .optional().describe("Where a secret is read at run time"),
}).describe("A workflow parameter");
/** A workflow parameter. */
export type Param = z.infer<typeof Param>;

/** A typed input or output of a step. */
export const IODecl = z.strictObject({
  type: valueType.optional(),
  required: z.boolean().optional(),
  schema: z.record(z.string(), z.unknown()).optional().describe("JSON Schema, for `json` values"),
  from: z.string().optional().describe("`steps.<id>.outputs.<name>` or `params.<name>`"),
  path: z.string().optional().describe("Where a file output is written, relative to the project"),
}).describe("A typed input or output");
/** A typed input or output of a step. */
export type IODecl = z.infer<typeof IODecl>;

/** Retry policy: `max` retries after the first attempt. */
export const Retries = z.strictObject({
  max: z.int().min(0).max(100),
  backoff: duration.optional(),
  max_backoff: duration.optional(),
  jitter: z.boolean().optional(),
});

/** Cache policy of a step. */
export const CacheConfig = z.strictObject({
  policy: z.enum(CACHE_POLICIES).optional(),
  salt: z.string().optional().describe("Change it to invalidate this step's entries"),
});

/** What a step may do (enforced by the sandbox). */
export const Resources = z.strictObject({
  network: z.union([z.boolean(), z.array(z.string())]).optional(),
  binaries: z.array(z.string()).optional(),
  env: z.array(z.string().regex(ENV_NAME)).optional(),
  cpu: z.number().positive().optional(),
  memory: z.string().optional(),
  gpu: z.boolean().optional(),
});

/** One step of a workflow. */
export const Step = z.strictObject({
  id: z.string().regex(ID, "letters, digits, `_` and `-`, starting with a letter or `_`"),
  uses: z.enum(STEP_KINDS),
  description: z.string().optional(),
  needs: z.array(z.string()).optional(),
  if: z.string().optional().describe("A condition in Lily's expression language"),
  timeout: duration.optional(),
  retries: Retries.optional(),
  env: z.record(z.string().regex(ENV_NAME, "an environment variable name"), scalarString)
    .optional(),
  inputs: z.record(z.string().regex(NAME, "an input name"), IODecl).optional(),
  outputs: z.record(z.string().regex(NAME, "an output name"), IODecl).optional(),
  cache: CacheConfig.optional(),
  resources: Resources.optional(),
  adapter: z.enum(ADAPTERS).optional(),
  with: z.record(z.string(), z.unknown()).optional(),
}).describe("A step");
/** One step of a workflow. */
export type Step = z.infer<typeof Step>;

/** A Petal workflow document. */
export const Petal = z.strictObject({
  petal: z.union([z.literal("1"), z.literal(1)]).describe('Petal language version: "1"'),
  name: z.string().min(1),
  description: z.string().optional(),
  extends: z.string().optional().describe("Base workflow, relative to this file"),
  overlays: z.array(z.string()).optional().describe("Patches applied in order, right-most wins"),
  params: z.record(z.string().regex(NAME, "a parameter name"), Param).optional(),
  env: z.record(z.string().regex(ENV_NAME, "an environment variable name"), scalarString)
    .optional(),
  vars: z.record(z.string().regex(NAME, "a variable name"), scalarString).optional(),
  steps: z.array(Step),
  outputs: z.array(z.record(z.string(), z.unknown())).optional(),
  on_error: z.array(Step).optional(),
  artifacts: z.record(z.string(), z.unknown()).optional(),
}).describe("A Petal workflow");
/** A Petal workflow document. */
export type Petal = z.infer<typeof Petal>;

/** Top-level keys a Petal document may have (for did-you-mean). */
export const PETAL_KEYS = Object.keys(Petal.shape);
/** Keys a step may have. */
export const STEP_KEYS = Object.keys(Step.shape);

/** A profile: parameter values plus an optional patch of the workflow. */
export const Profile = z.strictObject({
  params: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), scalarString).optional(),
  vars: z.record(z.string(), scalarString).optional(),
  steps: z.array(z.record(z.string(), z.unknown())).optional(),
  overlays: z.array(z.string()).optional(),
});

/** `.lilyrc`: project defaults. */
export const LilyRc = z.strictObject({
  profile: z.string().optional().describe("Profile used when --profile is not given"),
  locks_dir: z.string().optional(),
  template_env: z.array(z.string().regex(ENV_NAME)).optional()
    .describe("Host variables templates may read through the `env` filter"),
  allowed_binaries: z.array(z.string()).optional(),
  read_roots: z.array(z.string()).optional(),
  write_roots: z.array(z.string()).optional(),
  network_default: z.boolean().optional(),
  cache: z.strictObject({
    dir: z.string().optional(),
    salt: z.string().optional(),
  }).optional(),
  jobs: z.int().positive().optional(),
});
/** `.lilyrc` contents. */
export type LilyRc = z.infer<typeof LilyRc>;
