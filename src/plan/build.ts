/**
 * The plan stage: from a rendered, validated workflow to resolved lock steps — defaults
 * frozen, durations in ms, typed I/O bindings checked, `if:` compiled, cache keys formed.
 * @module
 */
import { didYouMean, LilyError, LilyErrors, listNames, type Span } from "../errors.ts";
import type * as Expr from "../expr/mod.ts";
import type { LockIO, LockStep } from "../schema/lock.ts";
import {
  type IODecl,
  type LilyRc,
  type Petal,
  type Step,
  VALUE_TYPES,
  type ValueType,
} from "../schema/petal.ts";
import { commandsOf } from "../shell/analyze.ts";
import { isBuiltin } from "../shell/commands/mod.ts";
import { NESTING_CODE, parseScript, ShellSyntaxError } from "../shell/parser.ts";
import { positionalParams } from "../shell/positional.ts";
import { lazyLocate } from "../source/locate.ts";
import { spanAt } from "../expr/_span.ts";
import { parseDuration } from "../util/duration.ts";
import { isProjectTool, projectToolPath } from "../util/project_tool.ts";
import { planPythonStep } from "../steps/python.ts";
import { cacheKeyOf } from "./cache_key.ts";
import { ioSchemaErrors } from "./io_schema.ts";
import { type TemplateReads, templateRefs } from "./template_refs.ts";
import { planWorkflowOutputs, type WorkflowOutput } from "./workflow_outputs.ts";
import { outputPathErrors } from "./output_paths.ts";
import { buildDag, type Dag } from "./dag.ts";

/** What the planner needs besides the workflow. */
export interface PlanInputs {
  petal: Petal;
  raw: unknown;
  paramTypes: Record<string, ValueType>;
  rc: LilyRc;
  /** What the templates read (for `cache.refs`); absent when nothing was rendered. */
  templateReads?: TemplateReads;
}

/** The resolved plan (the lock's `plan` block). */
export interface Plan {
  levels: string[][];
  steps: LockStep[];
  on_error: LockStep[];
  /** The workflow's `outputs:`, checked and normalized (`{name: {from, type}}` per entry). */
  outputs: Record<string, WorkflowOutput>[];
}

const DEFAULT_ADAPTER: Record<Step["uses"], LockStep["adapter"]> = {
  shell: "process",
  process: "process",
  python: "process", // runtime `system`: the pinned interpreter, a local program
  llm: "http",
  human: "process",
  foreach: "process",
  include: "process",
  tool: "process",
};

/** Builds the plan, reporting every problem found (each located in its source). */
export async function buildPlan(inputs: PlanInputs): Promise<Plan> {
  const { petal } = inputs;
  const results = planWorkflowOutputs(petal, inputs.raw, typesCompatible);
  results.errors.push(...outputPathErrors(petal, inputs.raw));
  let main: Planned;
  try {
    main = planSteps(petal.steps, "steps", inputs, undefined);
  } catch (error) {
    if (error instanceof LilyErrors && results.errors.length) {
      throw new LilyErrors([...error.errors, ...results.errors]);
    }
    throw error;
  }
  if (results.errors.length) throw new LilyErrors(results.errors);
  const onError = planSteps(petal.on_error ?? [], "on_error", inputs, main.dag);
  await compileConditions(main, inputs, "steps");
  await compileConditions(onError, inputs, "on_error", main.dag);
  return {
    levels: main.dag.levels,
    steps: main.steps,
    on_error: onError.steps,
    outputs: results.outputs,
  };
}

interface Planned {
  dag: Dag;
  steps: LockStep[];
  sources: Map<string, { step: Step; index: number }>;
}

function planSteps(
  steps: Step[],
  list: "steps" | "on_error",
  inputs: PlanInputs,
  mainDag: Dag | undefined,
): Planned {
  const { raw } = inputs;
  const dag = buildDag(
    steps.map((s, i) => ({ id: s.id, needs: s.needs ?? [], path: [list, i] })),
    raw,
    list === "on_error" ? "on_error step" : "step",
  );
  const errors: LilyError[] = [];
  const where = (path: (string | number)[], key = false) => lazyLocate(raw, path, { key });
  const sources = new Map<string, { step: Step; index: number }>();
  steps.forEach((step, index) => sources.set(step.id, { step, index }));
  const allOutputs = new Map<string, Record<string, IODecl>>();
  for (const s of steps) allOutputs.set(s.id, s.outputs ?? {});
  const mainOutputs = list === "on_error" ? inputs.petal.steps : [];
  for (const s of mainOutputs) if (!allOutputs.has(s.id)) allOutputs.set(s.id, s.outputs ?? {});

  const resolved: LockStep[] = [];
  for (const [index, step] of steps.entries()) {
    const path = [list, index];
    try {
      // `on_error` steps notify and clean up: a cached notification would be silent the
      // second time the run fails, so they run every time unless they opt in.
      const planned = list === "on_error" && step.cache?.policy === undefined
        ? { ...step, cache: { ...step.cache, policy: "never" as const } }
        : step;
      resolved.push(resolveStep(planned, path, dag, allOutputs, inputs, where, list, mainDag));
    } catch (error) {
      if (error instanceof LilyErrors) errors.push(...error.errors);
      else if (error instanceof LilyError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length) throw new LilyErrors(errors);
  resolved.sort((a, b) => a.level - b.level || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { dag, steps: resolved, sources };
}

type Where = (path: (string | number)[], key?: boolean) => Span | undefined;

function resolveStep(
  step: Step,
  path: (string | number)[],
  dag: Dag,
  outputsOf: Map<string, Record<string, IODecl>>,
  inputs: PlanInputs,
  where: Where,
  list: "steps" | "on_error",
  mainDag: Dag | undefined,
): LockStep {
  const errors: LilyError[] = [];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs.petal.env ?? {})) env[k] = String(v);
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = String(v);
  const withBlock = { ...(step.with ?? {}) };
  // A python step: its interpreter is pinned like a binary, its `with.file` is an input.
  const python = step.uses === "python"
    ? planPythonStep(step, withBlock, (p, key) => where([...path, ...p], key), errors, {
      rawCode: rawAt(inputs.raw, [...path, "with", "code"]),
      codeAt: lazyLocate(inputs.raw, [...path, "with", "code"], { content: true }),
    })
    : undefined;
  // `.lilyrc`'s allowed_binaries are every step's: the lock says per step what it may start.
  const binaries = [
    ...new Set([
      ...(inputs.rc.allowed_binaries ?? []),
      ...(step.resources?.binaries ?? []),
      // In a container the interpreter is the image's: nothing of the host to pin.
      ...(step.adapter === "docker" ? [] : python?.binaries ?? []),
    ]),
  ].sort();
  checkCommand(step, path, withBlock, where, errors);
  // A container's programs are its image's (steps/docker_checks.ts checks docker steps).
  if (!errors.length && step.adapter !== "docker") {
    checkPrograms(step, path, withBlock, binaries, inputs.raw, errors);
  }

  const stepInputs: Record<string, LockIO> = {};
  for (const [name, decl] of Object.entries(step.inputs ?? {})) {
    const io = resolveInput(
      step,
      name,
      decl,
      [...path, "inputs", name],
      dag,
      outputsOf,
      inputs,
      where,
      list,
      mainDag,
    );
    if (io instanceof LilyError) errors.push(io);
    else stepInputs[name] = io;
  }
  Object.assign(stepInputs, python?.inputs);
  const stepOutputs: Record<string, LockIO> = {};
  for (const [name, decl] of Object.entries(step.outputs ?? {})) {
    if (decl.from !== undefined) {
      errors.push(
        new LilyError("LILY-E0614", `output \`${name}\` of step \`${step.id}\` has \`from:\``, {
          span: where([...path, "outputs", name, "from"], true),
          hint:
            "outputs are written by the step (to $LILY_OUTPUT or their `path:`); `from:` belongs to inputs",
        }),
      );
    }
    if (decl.path !== undefined) {
      const bad = unsafePath(decl.path);
      if (bad) {
        errors.push(
          new LilyError("LILY-E0611", `output path \`${decl.path}\` ${bad}`, {
            span: where([...path, "outputs", name, "path"]),
            hint: "output paths are relative to the project root and stay inside it",
          }),
        );
      }
    }
    stepOutputs[name] = {
      type: decl.type ?? (decl.path !== undefined ? "file" : "str"),
      required: decl.required ?? true,
      ...(decl.path !== undefined ? { path: decl.path } : {}),
      ...(decl.schema !== undefined ? { schema: decl.schema } : {}),
    };
  }
  errors.push(
    ...ioSchemaErrors(step.id, { inputs: stepInputs, outputs: stepOutputs }, { path, where }),
  );
  if (errors.length) throw new LilyErrors(errors);

  const retries = step.retries;
  const backoff = retries?.backoff ? parseDuration(retries.backoff)! : 1000;
  const maxBackoff = retries?.max_backoff ? parseDuration(retries.max_backoff)! : 30_000;
  const resources = {
    network: step.resources?.network ?? inputs.rc.network_default ?? false,
    binaries,
    env: [...new Set(step.resources?.env ?? [])].sort(),
    ...(step.resources?.cpu !== undefined ? { cpu: step.resources.cpu } : {}),
    ...(step.resources?.memory !== undefined ? { memory: step.resources.memory } : {}),
    ...(step.resources?.gpu !== undefined ? { gpu: step.resources.gpu } : {}),
  };
  const partial = {
    id: step.id,
    uses: step.uses,
    adapter: step.adapter ?? DEFAULT_ADAPTER[step.uses],
    needs: [...(dag.needs.get(step.id) ?? [])].sort(),
    if: null,
    timeout_ms: step.timeout ? parseDuration(step.timeout)! : null,
    retries: {
      max: retries?.max ?? 0,
      backoff_ms: backoff,
      max_backoff_ms: Math.max(maxBackoff, backoff),
      jitter: retries?.jitter ?? true,
    },
    env,
    inputs: stepInputs,
    outputs: stepOutputs,
    resources,
    with: withBlock,
    ...(step.description ? { description: step.description } : {}),
  };
  // A step that receives a secret is not cached unless its `cache.policy` says so (its
  // outputs may hold the secret, and would be restored after the secret rotates).
  const secretIn = Object.values(stepInputs).some((io) => io.type === "secret");
  const policy = step.uses === "human"
    ? "never"
    : step.cache?.policy ?? (secretIn ? "never" : "auto");
  const salt = [inputs.rc.cache?.salt ?? "", step.cache?.salt ?? ""].join("\u0000");
  const cache = cacheKeyOf(partial, policy, salt);
  const refs = inputs.templateReads && templateRefs(inputs.templateReads, `${list}.${step.id}`);
  if (refs && Object.keys(refs).length) cache.refs = refs;
  return { ...partial, level: dag.levelOf.get(step.id)!, cache };
}

/** The source value at `path` in the merged raw data (before rendering), if any. */
function rawAt(raw: unknown, path: (string | number)[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function checkCommand(
  step: Step,
  path: (string | number)[],
  withBlock: Record<string, unknown>,
  where: Where,
  errors: LilyError[],
): void {
  if (step.uses === "shell") {
    if (typeof withBlock.run !== "string" || withBlock.run.trim() === "") {
      errors.push(
        new LilyError("LILY-E0612", `shell step \`${step.id}\` has no command`, {
          span: where(withBlock.run === undefined ? path : [...path, "with", "run"]),
          hint: 'give it `with: {run: "echo hello"}`',
        }),
      );
    }
  } else if (step.uses === "process") {
    const argv = withBlock.argv;
    if (
      !Array.isArray(argv) || argv.length === 0 ||
      argv.some((a) => typeof a !== "string" && typeof a !== "number")
    ) {
      errors.push(
        new LilyError(
          "LILY-E0613",
          `process step \`${step.id}\` needs \`with.argv\`, a non-empty list of strings`,
          {
            span: where(argv === undefined ? path : [...path, "with", "argv"]),
            hint: 'give it `with: {argv: ["ffmpeg", "-i", "in.mp4", "out.webm"]}`',
          },
        ),
      );
    } else {
      withBlock.argv = argv.map(String);
    }
  }
}

/**
 * The programs a step starts, checked against what it may start, where that can be told
 * before running: every command of a Lily shell script with a literal name, the shell of
 * `with.shell`, a process step's `argv[0]`. Names built at run time are checked when they run.
 */
function checkPrograms(
  step: Step,
  path: (string | number)[],
  withBlock: Record<string, unknown>,
  binaries: string[],
  raw: unknown,
  errors: LilyError[],
): void {
  const allowed = (name: string) => isAllowedProgram(name, binaries);
  const allowHint = (name: string) => {
    const entry = binaryEntryFor(name);
    const what = isProjectTool(name)
      ? ` (a project tool: the file \`${
        projectToolPath(name)
      }\` under the project root, pinned by its relative path)`
      : "";
    // Pasting `resources: {binaries: [x]}` into a step that has the key would repeat it.
    const here = step.resources?.binaries !== undefined
      ? `add \`${entry}\` to this step's \`resources.binaries\` list`
      : `allow it for this step with \`resources: {binaries: [${entry}]}\``;
    return `${here}, or for every step add \`${entry}\` to \`allowed_binaries\` in .lilyrc${what}`;
  };
  if (step.uses === "process") {
    const program = String((withBlock.argv as unknown[])[0]);
    // A built-in name runs the built-in (portable: `argv: [echo, hi]` works everywhere).
    if (!isBuiltin(program) && !allowed(program)) {
      errors.push(
        new LilyError(
          "LILY-E0617",
          `step \`${step.id}\` runs \`${program}\`, which its policy does not allow`,
          {
            span: lazyLocate(raw, [...path, "with", "argv", 0]),
            label: "not an allowed binary",
            hint: allowHint(program),
          },
        ),
      );
    }
    return;
  }
  if (step.uses !== "shell") return;
  const script = String(withBlock.run);
  const shell = withBlock.shell;
  if (shell !== undefined && shell !== "lily") {
    if (typeof shell !== "string" || shell === "") {
      errors.push(
        new LilyError(
          "LILY-E0619",
          `\`with.shell\` of step \`${step.id}\` must be a program name`,
          {
            span: lazyLocate(raw, [...path, "with", "shell"]),
            hint: "omit it for Lily's shell, or name an allowed shell: `shell: bash`",
          },
        ),
      );
    } else if (!allowed(shell)) {
      errors.push(
        new LilyError(
          "LILY-E0619",
          `step \`${step.id}\` runs its script with \`${shell}\`, which its policy does not allow`,
          {
            span: lazyLocate(raw, [...path, "with", "shell"]),
            label: "not an allowed binary",
            hint: `${
              allowHint(shell)
            } (the programs that \`${shell}\` starts are not checked by Lily: list them too, OS isolation still applies)`,
          },
        ),
      );
    }
    return;
  }
  const base = lazyLocate(raw, [...path, "with", "run"], { content: true });
  let list;
  try {
    list = parseScript(script);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    errors.push(
      new LilyError(
        error.code === NESTING_CODE ? "LILY-E0650" : "LILY-E0618",
        `the script of step \`${step.id}\` is not valid in Lily's shell: ${error.message}`,
        {
          span: spanAt(base, script, error.pos),
          hint: error.hint ??
            "see docs/shell.md for what Lily's shell runs, or set `with.shell: sh` (with `sh` in `resources.binaries`)",
        },
      ),
    );
    return;
  }
  const refused = [
    ...new Set(
      commandsOf(list).filter((u) => u.name !== undefined && !u.builtin && !allowed(u.name))
        .map((u) => binaryEntryFor(u.name!)),
    ),
  ];
  // Several refused programs in one step: one line that allows them all.
  const together = refused.length < 2
    ? ""
    : step.resources?.binaries !== undefined
    ? `; all of them: add ${refused.join(", ")} to \`resources.binaries\``
    : `; all of them: \`resources: {binaries: [${refused.join(", ")}]}\``;
  for (const use of commandsOf(list)) {
    if (use.name === undefined || use.builtin || allowed(use.name)) continue;
    errors.push(
      new LilyError(
        "LILY-E0617",
        `step \`${step.id}\` runs \`${use.name}\`, which its policy does not allow`,
        {
          span: spanAt(base, script, use.pos, use.pos + use.name.length),
          label: "not a built-in of Lily's shell, not an allowed binary",
          hint: allowHint(use.name) + together,
        },
      ),
    );
  }
  for (const use of positionalParams(list)) {
    errors.push(
      new LilyError(
        "LILY-E0635",
        `the script of step \`${step.id}\` reads \`$${use.name}\`: a step's script has no arguments`,
        {
          span: spanAt(base, script, use.pos, use.pos + 1 + use.name.length),
          label: "a positional parameter",
          hint: "pass values as `{{ params.<name> }}` (escaped for the shell) or as inputs " +
            "(`$LILY_INPUT_<NAME>`); `$1` is allowed inside a function body and after `set -- …`",
        },
      ),
    );
  }
}

/**
 * Whether a program name a script or argv starts is among `binaries`: a bare name or an
 * absolute path by its name; a project tool (`./tools/gen.sh`, `tools/gen.sh`) by its path
 * relative to the project root, however it is spelled.
 */
export function isAllowedProgram(name: string, binaries: readonly string[]): boolean {
  if (binaries.includes(name)) return true;
  if (isProjectTool(name)) {
    const path = projectToolPath(name);
    return binaries.some((b) => isProjectTool(b) && projectToolPath(b) === path);
  }
  return /[\\/]/.test(name) && binaries.includes(name.split(/[\\/]/).pop()!);
}

/** The `resources.binaries` entry that allows `name`: a bare name, or the path as written. */
export function binaryEntryFor(name: string): string {
  return isProjectTool(name) ? `./${projectToolPath(name)}` : name;
}

/** Which value types an input of type `to` accepts from a source of type `from`. */
export function typesCompatible(from: ValueType, to: ValueType): boolean {
  if (from === to) return true;
  if (from === "secret" || to === "secret") return false;
  switch (to) {
    case "float":
      return from === "int";
    case "str":
      return from === "path";
    case "path":
      return from === "file" || from === "dir" || from === "str";
    case "json":
      return ["str", "int", "float", "bool", "path"].includes(from);
    default:
      return false;
  }
}

function resolveInput(
  step: Step,
  name: string,
  decl: IODecl,
  path: (string | number)[],
  dag: Dag,
  outputsOf: Map<string, Record<string, IODecl>>,
  inputs: PlanInputs,
  where: Where,
  list: "steps" | "on_error",
  mainDag: Dag | undefined,
): LockIO | LilyError {
  const base = {
    required: decl.required ?? true,
    ...(decl.path !== undefined ? { path: decl.path } : {}),
    ...(decl.schema !== undefined ? { schema: decl.schema } : {}),
  };
  if (decl.from === undefined) {
    if (decl.path === undefined) {
      return new LilyError(
        "LILY-E0610",
        `input \`${name}\` of step \`${step.id}\` has no \`from:\` or \`path:\``,
        {
          span: where(path, true),
          hint:
            "bind it to `from: steps.<id>.outputs.<name>` or `from: params.<name>`, or name a project file with `path:`",
        },
      );
    }
    const bad = unsafePath(decl.path);
    if (bad) {
      return new LilyError("LILY-E0611", `input path \`${decl.path}\` ${bad}`, {
        span: where([...path, "path"]),
        hint: "input paths are relative to the project root and stay inside it",
      });
    }
    return { type: decl.type ?? "file", ...base };
  }
  const from = decl.from.trim();
  const param = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(from);
  const output = /^steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(from);
  const span = where([...path, "from"]);
  let sourceType: ValueType;
  if (param) {
    const declared = Object.keys(inputs.paramTypes);
    const type = Object.hasOwn(inputs.paramTypes, param[1])
      ? inputs.paramTypes[param[1]]
      : undefined;
    if (!type) {
      const guess = didYouMean(param[1], declared);
      return new LilyError(
        "LILY-E0615",
        `input \`${name}\` reads \`params.${param[1]}\`, which is not declared`,
        {
          span,
          hint: guess
            ? `did you mean \`params.${guess}\`?`
            : `declared params: ${listNames(declared) || "none"}`,
        },
      );
    }
    sourceType = type;
  } else if (output) {
    const [, sourceId, outputName] = output;
    const outputs = outputsOf.get(sourceId);
    if (!outputs) {
      const guess = didYouMean(sourceId, [...outputsOf.keys()]);
      return new LilyError(
        "LILY-E0616",
        `input \`${name}\` reads from step \`${sourceId}\`, which is not defined`,
        {
          span,
          hint: guess ? `did you mean \`${guess}\`?` : undefined,
        },
      );
    }
    const out = outputs[outputName];
    if (!out) {
      const names = Object.keys(outputs);
      const guess = didYouMean(outputName, names);
      return new LilyError(
        "LILY-E0608",
        `step \`${sourceId}\` declares no output \`${outputName}\``,
        {
          span,
          label: "undeclared data flow",
          hint: guess
            ? `did you mean \`steps.${sourceId}.outputs.${guess}\`?`
            : names.length
            ? `its outputs are ${listNames(names)}`
            : `declare it: \`outputs: {${outputName}: {type: str}}\` on step \`${sourceId}\``,
        },
      );
    }
    const inSameList = dag.needs.has(sourceId);
    if (inSameList && !dag.dependsOn(step.id, sourceId)) {
      return new LilyError(
        "LILY-E0607",
        `step \`${step.id}\` reads an output of \`${sourceId}\` but does not need it`,
        {
          span,
          hint: `add \`${sourceId}\` to \`needs:\` of \`${step.id}\` so it runs first`,
        },
      );
    }
    if (!inSameList && !(list === "on_error" && mainDag?.needs.has(sourceId))) {
      return new LilyError(
        "LILY-E0616",
        `input \`${name}\` reads from step \`${sourceId}\`, which is not defined`,
        { span },
      );
    }
    sourceType = out.type ?? (out.path !== undefined ? "file" : "str");
  } else {
    return new LilyError("LILY-E0605", `\`from: ${from}\` is not a valid source`, {
      span,
      hint: "write `from: steps.<id>.outputs.<name>` or `from: params.<name>`",
    });
  }
  const type = decl.type ?? sourceType;
  if (sourceType === "secret" && type !== "secret") {
    return new LilyError(
      "LILY-E0609",
      `secret \`${from}\` flows into input \`${name}\`, which is not a secret`,
      {
        span: where(decl.type ? [...path, "type"] : path, !decl.type),
        hint:
          "declare the input `type: secret`; it reaches the step as an environment variable and is masked in logs",
      },
    );
  }
  if (!typesCompatible(sourceType, type)) {
    return new LilyError(
      "LILY-E0606",
      `input \`${name}\` of step \`${step.id}\` is \`${type}\`, but \`${from}\` is \`${sourceType}\``,
      {
        span: where(decl.type ? [...path, "type"] : [...path, "from"]),
        hint: `make the types agree (an input of type \`${type}\` accepts ${acceptedBy(type)})`,
      },
    );
  }
  return { type, from, ...base };
}

function acceptedBy(type: ValueType): string {
  const all = VALUE_TYPES as readonly ValueType[];
  return listNames(all.filter((t) => typesCompatible(t, type)));
}

/** Why a project-relative path is unsafe, or undefined when it is fine. */
export function unsafePath(path: string): string | undefined {
  if (path.trim() === "") return "is empty";
  if (/^([A-Za-z]:|[\\/]{2}|\/|\\)/.test(path)) return "is absolute";
  const parts = path.split(/[\\/]+/);
  if (parts.includes("..")) return "leaves the project (`..`)";
  return undefined;
}

async function compileConditions(
  planned: Planned,
  inputs: PlanInputs,
  list: "steps" | "on_error",
  mainDag?: Dag,
): Promise<void> {
  const withIf = planned.steps.filter((s) => planned.sources.get(s.id)!.step.if !== undefined);
  if (withIf.length === 0) return;
  const expr: typeof Expr = await import("../expr/mod.ts");
  const errors: LilyError[] = [];
  const typeOf = (t: ValueType): Expr.ExprType | "secret" => {
    if (t === "secret") return "secret";
    if (t === "int" || t === "float" || t === "bool") return t;
    if (t === "json") return "any";
    return "str";
  };
  for (const step of withIf) {
    const { step: source, index } = planned.sources.get(step.id)!;
    const text = source.if!;
    const reachable = new Set(planned.dag.ancestors(step.id));
    if (list === "on_error" && mainDag) { for (const id of mainDag.order) reachable.add(id); }
    const outputsOf = (id: string): Record<string, IODecl> | undefined => {
      if (!reachable.has(id)) return undefined;
      const s = inputs.petal.steps.find((x) => x.id === id) ??
        inputs.petal.on_error?.find((x) => x.id === id);
      return s?.outputs ?? {};
    };
    const envNames = new Set([...Object.keys(step.env), ...step.resources.env]);
    const scope: Expr.Scope = {
      lookup(path: readonly string[]) {
        const [root, a, b, c, ...rest] = path;
        if (root === "params" && a !== undefined && b === undefined) {
          // Own names only: `params.constructor` is not a declared parameter.
          const t = Object.hasOwn(inputs.paramTypes, a) ? inputs.paramTypes[a] : undefined;
          return t ? typeOf(t) : undefined;
        }
        if (root === "vars" && a !== undefined && b === undefined) {
          return inputs.petal.vars && Object.hasOwn(inputs.petal.vars, a) ? "str" : undefined;
        }
        if (root === "env" && a !== undefined && b === undefined) {
          return envNames.has(a) ? "str" : undefined;
        }
        if (
          root === "steps" && a !== undefined && b === "outputs" && c !== undefined &&
          rest.length === 0
        ) {
          const outputs = outputsOf(a);
          const out = outputs && Object.hasOwn(outputs, c) ? outputs[c] : undefined;
          return out ? typeOf(out.type ?? (out.path !== undefined ? "file" : "str")) : undefined;
        }
        return undefined;
      },
      allSteps: [...inputs.petal.steps, ...(inputs.petal.on_error ?? [])].map((s) => s.id),
      names(prefix: readonly string[]) {
        const [root, a] = prefix;
        if (prefix.length === 0) return ["params", "vars", "env", "steps"];
        if (root === "params") return Object.keys(inputs.paramTypes);
        if (root === "vars") return Object.keys(inputs.petal.vars ?? {});
        if (root === "env") return [...envNames];
        if (root === "steps" && prefix.length === 1) return [...reachable];
        if (root === "steps" && prefix.length === 2) return ["outputs"];
        if (root === "steps" && prefix.length === 3) return Object.keys(outputsOf(a) ?? {});
        return [];
      },
    };
    const span = lazyLocate(inputs.raw, [list, index, "if"], { content: true });
    try {
      const compiled = expr.compileExpr(text, scope, span);
      step.if = { source: text, ast: compiled.ast, status: compiled.status };
    } catch (error) {
      if (error instanceof LilyError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length) throw new LilyErrors(errors);
}
