/**
 * The `tool` step kind: `with: {tool: ffmpeg, args: {...}}` runs a tool declared in the
 * project's `adapters/<adapter>.yaml` (tool_decl.ts). At compose, the step's arguments are
 * checked against the declaration (`planToolStep`: every problem, each at its position) and
 * the program's argv is built and written into the lock (`with.argv`), with the tool's binary
 * in `resources.binaries` and its file arguments as the step's inputs and outputs. At run,
 * the argv runs as it is — no shell, every value one argument (`toolSpec`).
 * A tool step on `adapter: http` is the http adapter's (adapters/http.ts): nothing here.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import type { ExecSpec } from "../sandbox/execute.ts";
import type { IODecl, Step } from "../schema/petal.ts";
import type { LockStep } from "../schema/lock.ts";
import { dirname, join } from "node:path";
import { buildArgv } from "./tool_argv.ts";
import { checkToolArgs } from "./tool_args.ts";
import type { ToolDecl } from "./tool_decl.ts";

/** The fields a tool step's `with:` takes. */
export const TOOL_WITH_KEYS = ["tool", "args"];

/** Where a step's fields are, and what the project allows. */
export interface ToolStepContext {
  /** The position of a field of the step, by its path below the step. */
  where: (path: (string | number)[], key?: boolean) => Span | undefined;
  /** The tools of the step's adapter, or a sentence saying why there are none. */
  tools: Map<string, ToolDecl> | string;
  /** The project's read and write roots (`.lilyrc`; project-relative). */
  readRoots: readonly string[];
  writeRoots: readonly string[];
  /**
   * The path of a file output of another step (`steps.X.outputs.Y` declared with `path:`, or
   * written by a tool's output argument), for an input argument given as `{from: …}`.
   */
  outputPath?: (step: string, output: string) => string | undefined;
  /** The file outputs with a path of a step (for did-you-mean on `from:`). */
  outputNames?: (step: string) => string[];
  /** Whether another step is a tool step compose could not resolve (errors of its own). */
  unresolved?: (step: string) => boolean;
}

/**
 * Checks a tool step and rewrites it as the lock will hold it: `with` gets `argv` (and the
 * image of a docker tool) and the arguments with defaults filled in; `resources.binaries` the
 * tool's binary; `inputs`/`outputs` the file arguments with a role. Returns the declaration
 * used (for the lock's pins), or undefined after an error.
 */
export function planToolStep(
  step: Step,
  context: ToolStepContext,
  errors: LilyError[],
): ToolDecl | undefined {
  const id = step.id;
  const { where } = context;
  const before = errors.length;
  const withBlock = (step.with ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(withBlock)) {
    if (TOOL_WITH_KEYS.includes(key)) continue;
    const guess = didYouMean(key, TOOL_WITH_KEYS);
    errors.push(
      new LilyError("LILY-E0942", `tool step \`${id}\`: unknown field \`with.${key}\``, {
        span: where(["with", key], true),
        label: "unknown field",
        hint: guess
          ? `did you mean \`with.${guess}\`?`
          : "a tool step's `with:` takes `tool` and `args`",
      }),
    );
  }
  const name = withBlock.tool;
  if (typeof name !== "string" || name === "") {
    errors.push(
      new LilyError(
        "LILY-E0940",
        `tool step \`${id}\` needs \`with.tool\`, the name of a declared tool`,
        {
          span: where(name === undefined ? [] : ["with", "tool"]),
          hint:
            "write `with: {tool: ffmpeg, args: {...}}`; tools are declared in adapters/process.yaml (docs/tools.md)",
        },
      ),
    );
    return undefined;
  }
  if (typeof context.tools === "string") {
    errors.push(
      new LilyError("LILY-E0941", `tool step \`${id}\`: no tool \`${name}\`: ${context.tools}`, {
        span: where(["with", "tool"]),
        label: "not declared",
        hint: "declare it: `tools: {" + name + ": {binary: " + name +
          ", argv: [...]}}` (docs/tools.md)",
      }),
    );
    return undefined;
  }
  const decl = context.tools.get(name);
  if (!decl) {
    const names = [...context.tools.keys()];
    const guess = didYouMean(name, names);
    errors.push(
      new LilyError("LILY-E0941", `tool step \`${id}\`: no tool \`${name}\` is declared`, {
        span: where(["with", "tool"]),
        label: "not declared",
        hint: guess
          ? `did you mean \`${guess}\`?`
          : names.length
          ? `declared tools: ${listNames(names)}`
          : "declare it under `tools:` (docs/tools.md)",
      }),
    );
    return undefined;
  }
  const given = withBlock.args ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    errors.push(
      new LilyError("LILY-E0945", `\`with.args\` of tool step \`${id}\` must be a map`, {
        span: where(["with", "args"]),
        hint: "write `args: {input: clip.mp4, crf: 23}`",
      }),
    );
    return undefined;
  }
  const { values, fromOf } = checkToolArgs(decl, given as Record<string, unknown>, {
    step: id,
    hasArgs: Object.hasOwn(withBlock, "args"),
    where,
    outputPath: context.outputPath,
    unresolved: context.unresolved,
    outputNames: context.outputNames,
    // `with: {arg: …}` (a misspelt `args`): its error explains the missing arguments.
    quietMissing: errors.length > before,
  }, errors);
  // File arguments with a role become the step's inputs and outputs (cache key, manifest).
  const inputs: Record<string, IODecl> = { ...(step.inputs ?? {}) };
  const outputs: Record<string, IODecl> = { ...(step.outputs ?? {}) };
  for (const [arg, spec] of Object.entries(decl.args)) {
    const value = values[arg];
    if (!spec.role || typeof value !== "string") continue;
    const roots = spec.role === "input" ? context.readRoots : context.writeRoots;
    // A path from another step's output was checked there.
    const bad = fromOf[arg] ? undefined : pathProblem(value, roots, spec.role);
    if (bad) {
      errors.push(
        new LilyError(
          "LILY-E0947",
          `argument \`${arg}\` of tool step \`${id}\`: \`${value}\` ${bad}`,
          {
            span: where(["with", "args", arg]),
            hint: `an ${spec.role} file is a path relative to the project root, inside its ${
              spec.role === "input" ? "read" : "write"
            } roots (${listNames([...roots])})`,
          },
        ),
      );
      continue;
    }
    const mine = spec.role === "input" ? inputs : outputs;
    const theirs = spec.role === "input" ? step.inputs : step.outputs;
    if (theirs && Object.hasOwn(theirs, arg)) {
      errors.push(
        new LilyError(
          "LILY-E0948",
          `${spec.role} \`${arg}\` of tool step \`${id}\` is also the tool's ${spec.role} argument \`${arg}\``,
          {
            span: where([spec.role === "input" ? "inputs" : "outputs", arg], true),
            hint:
              `the argument declares this ${spec.role} (path \`${value}\`): remove it here, or rename yours`,
          },
        ),
      );
      continue;
    }
    mine[arg] = fromOf[arg] ? { type: spec.type, from: fromOf[arg] } : {
      type: spec.type,
      path: value,
      ...(spec.role === "input" ? { required: true } : {}),
    };
  }
  if (errors.length > before) return undefined;
  const args = buildArgv(decl.argv, values);
  const sortedValues = Object.fromEntries(
    Object.entries(values).sort(([a], [b]) => a < b ? -1 : 1),
  );
  step.with = {
    tool: name,
    args: sortedValues,
    argv: decl.binary !== undefined ? [decl.binary, ...args] : args,
    ...(decl.image !== undefined ? { image: decl.image } : {}),
  };
  if (Object.keys(inputs).length) step.inputs = inputs;
  if (Object.keys(outputs).length) step.outputs = outputs;
  if (decl.adapter !== "docker" && decl.binary !== undefined) {
    const binaries = new Set(step.resources?.binaries ?? []);
    binaries.add(decl.binary);
    step.resources = { ...(step.resources ?? {}), binaries: [...binaries].sort() };
  }
  return decl;
}

/** Why `path` cannot be an input/output file of a step, or undefined. */
function pathProblem(path: string, roots: readonly string[], role: string): string | undefined {
  if (path.trim() === "") return "is empty";
  if (/^([A-Za-z]:|[\\/])/.test(path)) return "is absolute";
  const parts = path.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) return "leaves the project (`..`)";
  if (parts[0] === ".lily") return "is inside Lily's own `.lily/`";
  const inside = roots.some((root) => {
    const r = root.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
    return r.every((part, i) => parts[i] === part);
  });
  return inside
    ? undefined
    : `is outside the project's ${role === "input" ? "read" : "write"} roots`;
}

/**
 * What a tool step runs: its argv, fixed at compose, as one program with its arguments — no
 * shell. A tool step on the http adapter gets an empty spec (the adapter builds its request).
 * A program is handed paths, not a shell that could `mkdir`: before it starts, each `dir`
 * output's folder and each `file` output's parent folder is created (paths compose checked to
 * lie in the write roots).
 */
export function toolSpec(step: LockStep, context: Omit<ExecSpec, "script" | "argv">): ExecSpec {
  if (step.adapter === "http") return { ...context, argv: [] };
  for (const io of Object.values(step.outputs ?? {})) {
    if (io.path === undefined || (io.type !== "dir" && io.type !== "file")) continue;
    const folder = io.type === "dir" ? io.path : dirname(io.path);
    Deno.mkdirSync(join(context.cwd, folder), { recursive: true });
  }
  return { ...context, argv: ((step.with.argv ?? []) as unknown[]).map(String) };
}
