/**
 * Validates loaded data against a zod model and turns every issue into a located LilyError
 * (file:line:col from the data's origins), with did-you-mean for unknown fields and values.
 * @module
 */
import type { z } from "zod";
import { didYouMean, LilyError, LilyErrors, listNames, sortBySource } from "../errors.ts";
import { locate } from "../source/locate.ts";
import { originAt } from "../source/origin.ts";

/** Options for {@linkcode validate}. */
export interface ValidateOptions {
  /** What the document is, for messages ("workflow", "profile", ".lilyrc"). */
  what: string;
  /** Fallback file name when the data has no origin. */
  file?: string;
  /** Errors of the same pass found by other checks: reported with the schema's, in order. */
  alongside?: LilyError[];
}

/**
 * Parses `data` with `schema`; throws LilyErrors listing every problem, each located.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { z } from "zod";
 * import { validate } from "./validate.ts";
 * const n = validate(z.object({ a: z.number() }), { a: 1 }, { what: "test" });
 * assert(n.a === 1);
 * ```
 */
export function validate<T extends z.ZodType>(
  schema: T,
  data: unknown,
  options: ValidateOptions,
): z.infer<T> {
  const result = schema.safeParse(data);
  const alongside = options.alongside ?? [];
  if (result.success) {
    if (alongside.length) throw new LilyErrors(sortBySource(alongside));
    return result.data;
  }
  const issues = result.error.issues as Issue[];
  // A typo'd field (`nme`) also makes its intended field (`name`) missing: report the typo only.
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const allowed = allowedKeys(schema, issue.path) ?? [];
    for (const key of issue.keys ?? []) {
      const guess = didYouMean(key, allowed);
      if (guess) suggested.add(JSON.stringify([...issue.path, guess]));
    }
  }
  const errors: LilyError[] = [];
  for (const issue of issues) {
    if (issue.code === "invalid_type" && suggested.has(JSON.stringify(issue.path))) continue;
    errors.push(...issueToErrors(schema, data, issue, options));
  }
  const lock = options.what === "workflow" ? lockGivenAsWorkflow(data, options) : undefined;
  // A lock given as a workflow: every field error after it only restates that (11 of them).
  if (lock) throw new LilyErrors([lock]);
  throw new LilyErrors(sortBySource([...errors, ...alongside]));
}

/** A lock passed where a workflow is expected: say so, beside the fields it does not have. */
function lockGivenAsWorkflow(data: unknown, options: ValidateOptions): LilyError | undefined {
  if (typeof data !== "object" || data === null || !("schema_version" in data)) return undefined;
  if (!("spec_hash" in data) || "petal" in data) return undefined;
  const file = originAt(data, [])?.file ?? options.file ?? "the source";
  const sources = (data as { provenance?: { sources?: { path?: unknown; role?: unknown }[] } })
    .provenance?.sources;
  const flow = Array.isArray(sources) ? sources.find((s) => s?.role === "flow")?.path : undefined;
  return new LilyError("LILY-E0213", `\`${file}\` is a lock file, not a workflow`, {
    span: { file, line: 1, col: 1 },
    hint: `compose takes the workflow${
      typeof flow === "string" ? ` this lock came from (\`${flow}\`)` : " (.petal)"
    }; run a lock with \`lily run ${file}\``,
  });
}

/** Fields whose value is a duration (`90s`): a bare number there gets a format hint. */
const DURATION_FIELDS = new Set(["timeout", "backoff", "max_backoff"]);

interface Issue {
  code: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
  errors?: Issue[][];
}

function spanFor(data: unknown, path: PropertyKey[], options: ValidateOptions, key = false) {
  const origin = originAt(data, path);
  if (!origin) return options.file ? { file: options.file, line: 1, col: 1 } : undefined;
  return locate(origin, { key });
}

function describePath(path: PropertyKey[], data: unknown): string {
  if (path.length === 0) return "the document";
  let rest = path;
  let owner = "";
  if ((path[0] === "steps" || path[0] === "on_error") && typeof path[1] === "number") {
    const step = valueAt(data, path.slice(0, 2)) as { id?: unknown } | undefined;
    owner = typeof step?.id === "string" ? `step \`${step.id}\`` : `${String(path[0])}[${path[1]}]`;
    rest = path.slice(2);
    if (rest.length === 0) return owner;
  }
  const field = rest.map((s, i) =>
    typeof s === "number" ? `[${s}]` : i ? `.${String(s)}` : String(s)
  )
    .join("");
  return owner ? `\`${field}\` of ${owner}` : `\`${field}\``;
}

function issueToErrors(
  schema: z.ZodType,
  data: unknown,
  issue: Issue,
  options: ValidateOptions,
): LilyError[] {
  const where = describePath(issue.path, data);
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys(schema, issue.path);
    return (issue.keys ?? []).map((name) => {
      const guess = allowed ? didYouMean(name, allowed) : undefined;
      return new LilyError("LILY-E0201", `unknown field \`${name}\` in ${where}`, {
        span: spanFor(data, [...issue.path, name], options, true),
        label: "not a field here",
        hint: guess
          ? `did you mean \`${guess}\`?`
          : allowed
          ? `fields allowed here: ${listNames(allowed, 20)}`
          : undefined,
      });
    });
  }
  const last = issue.path[issue.path.length - 1];
  if (last === "petal" && issue.path.length === 1) {
    const value = (data as Record<string, unknown> | undefined)?.petal;
    return [
      new LilyError(
        "LILY-E0202",
        value === undefined
          ? `missing \`petal:\` version in ${options.what}`
          : `unsupported Petal version \`${String(value)}\``,
        {
          span: spanFor(data, value === undefined ? [] : ["petal"], options),
          hint: 'this Lily reads Petal version 1: start the file with `petal: "1"`',
        },
      ),
    ];
  }
  if (issue.code === "invalid_type" && valueAt(data, issue.path) === undefined) {
    const parent = issue.path.slice(0, -1);
    return [
      new LilyError(
        "LILY-E0203",
        `missing required field \`${String(last)}\` in ${describePath(parent, data)}`,
        {
          span: spanFor(data, parent, options),
          hint: `add \`${String(last)}:\` (${issue.expected ?? "a value"})`,
        },
      ),
    ];
  }
  if (issue.code === "invalid_value" && issue.values) {
    const got = valueAt(data, issue.path);
    const names = issue.values.map(String);
    const guess = typeof got === "string" ? didYouMean(got, names) : undefined;
    return [
      new LilyError(
        "LILY-E0204",
        `\`${String(got)}\` is not a valid value for ${where}`,
        {
          span: spanFor(data, issue.path, options),
          label: "not allowed here",
          hint: `${guess ? `did you mean \`${guess}\`? ` : ""}expected one of ${
            listNames(names, 20)
          }`,
        },
      ),
    ];
  }
  if (issue.code === "invalid_type") {
    const got = valueAt(data, issue.path);
    return [
      new LilyError(
        "LILY-E0205",
        `${where} must be ${article(issue.expected ?? "another type")}, not ${kindOf(got)}`,
        {
          span: spanFor(data, issue.path, options),
          label: `expected ${issue.expected}`,
          hint: typeof got === "number" && DURATION_FIELDS.has(String(last))
            ? `a duration has a unit: \`${String(last)}: ${got}s\` (or \`${got}ms\`, \`${got}m\`)`
            : undefined,
        },
      ),
    ];
  }
  if (issue.code === "invalid_union" && issue.errors) {
    const got = valueAt(data, issue.path);
    return [
      new LilyError("LILY-E0205", `${where} has the wrong shape (${kindOf(got)})`, {
        span: spanFor(data, issue.path, options),
        hint: unionHint(issue.errors),
      }),
    ];
  }
  if ((issue.code === "too_small" || issue.code === "too_big") && issue.origin === "number") {
    const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
    const side = issue.code === "too_small"
      ? (issue.inclusive === false ? "greater than" : "at least")
      : (issue.inclusive === false ? "less than" : "at most");
    return [
      new LilyError(
        "LILY-E0206",
        `${where} must be ${side} ${String(bound)}, not ${String(valueAt(data, issue.path))}`,
        { span: spanFor(data, issue.path, options), label: `${side} ${String(bound)}` },
      ),
    ];
  }
  return [
    new LilyError("LILY-E0206", `${where}: ${issue.message.replace(/^Invalid input: /, "")}`, {
      span: spanFor(data, issue.path, options),
    }),
  ];
}

function unionHint(branches: Issue[][]): string {
  const expected = new Set<string>();
  for (const branch of branches) {
    for (const issue of branch) {
      if (issue.expected) expected.add(issue.expected);
      if (issue.values) issue.values.forEach((v) => expected.add(JSON.stringify(v)));
    }
  }
  return expected.size ? `expected ${[...expected].join(" or ")}` : "see docs/petal.md";
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let node = data;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string ${JSON.stringify(value).slice(0, 40)}`;
  return `${typeof value} \`${String(value)}\``;
}

function article(noun: string): string {
  if (noun === "object" || noun === "record") return "a map";
  if (noun === "array") return "a list";
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

// deno-lint-ignore no-explicit-any
type AnySchema = any;

/** The field names allowed by the object schema found at `path` inside `schema`. */
function allowedKeys(schema: z.ZodType, path: PropertyKey[]): string[] | undefined {
  let node: AnySchema = schema;
  for (const segment of path) {
    node = unwrap(node);
    const type = node?._zod?.def?.type;
    if (type === "object") node = node._zod.def.shape[segment as string];
    else if (type === "array") node = node._zod.def.element;
    else if (type === "record") node = node._zod.def.valueType;
    else return undefined;
  }
  node = unwrap(node);
  return node?._zod?.def?.type === "object" ? Object.keys(node._zod.def.shape) : undefined;
}

function unwrap(node: AnySchema): AnySchema {
  while (node && ["optional", "nullable", "default", "pipe"].includes(node._zod?.def?.type)) {
    node = node._zod.def.type === "pipe" ? node._zod.def.in : node._zod.def.innerType;
  }
  return node;
}
