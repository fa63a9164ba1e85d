/**
 * The `python` step kind, runtime `system`: the user's code (`with.code`) or project file
 * (`with.file`) runs in the pinned interpreter (`with.python`, default `python3`; a pyenv shim
 * is pinned as the interpreter it stands for, see util/shims.ts) inside the step's sandbox,
 * started by a small runner (python_runner.ts) that gives typed inputs through a `lily` module
 * and installs an audit hook (PEP 578) before user code. Compose-time checks are here
 * (`planPythonStep`); how a lock step becomes a program to run is `pythonSpec`. Runtime
 * `pyodide` (CPython in WebAssembly, the `python` adapter) is python_pyodide.ts.
 * @module
 */
import { isAbsolute, normalize } from "node:path";
import { LilyError, listNames, type Span } from "../errors.ts";
import { spanAt } from "../expr/_span.ts";
import type { ExecSpec } from "../sandbox/execute.ts";
import type { LockFile, LockIO, LockStep } from "../schema/lock.ts";
import { planPyodide, PYODIDE_ADAPTER } from "./python_pyodide.ts";
import { type RunnerConfig, runnerProgram } from "./python_runner.ts";

/** The input a `with.file` script becomes, so its content enters the cache key. */
export const PYTHON_FILE_INPUT = "_python_file";
/** The runtimes `with.runtime` names (`pyodide`: python_pyodide.ts, adapters/python.ts). */
export const PYTHON_RUNTIMES = ["system", "pyodide"] as const;
/** The interpreter when `with.python` is not set (pinned through shims at compose). */
export const DEFAULT_PYTHON = "python3";
/** `with.code` above this many bytes is refused (it travels as one argument). */
export const MAX_CODE_BYTES = 96 * 1024;

const WITH_KEYS = ["code", "file", "runtime", "python", "packages", "image"];
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What a python step adds to its plan: the interpreter to pin, a file input. */
export interface PythonPlan {
  binaries: string[];
  inputs: Record<string, LockIO>;
  /** The adapter the step runs in when its runtime decides it (`python` for pyodide). */
  adapter?: "python";
}

/**
 * Checks a python step's `with:` block at compose (every problem, each positioned) and
 * normalizes it (`runtime` and `python` written out, so the lock says what runs).
 * `where` locates a field of the step by its path below the step.
 */
export function planPythonStep(
  step: { id: string; adapter?: string; inputs?: Record<string, unknown> },
  withBlock: Record<string, unknown>,
  where: (path: string[], key?: boolean) => Span | undefined,
  errors: LilyError[],
  source: { rawCode?: unknown; codeAt?: Span } = {},
): PythonPlan {
  const plan: PythonPlan = { binaries: [], inputs: {} };
  const id = step.id;
  for (const key of Object.keys(withBlock)) {
    if (!WITH_KEYS.includes(key)) {
      errors.push(
        new LilyError("LILY-E0675", `python step \`${id}\`: unknown field \`with.${key}\``, {
          span: where(["with", key], true),
          hint: `a python step's \`with:\` takes ${listNames(WITH_KEYS)}`,
        }),
      );
    }
  }
  const { code, file } = withBlock;
  if ((code === undefined) === (file === undefined)) {
    errors.push(
      new LilyError(
        "LILY-E0670",
        `python step \`${id}\` needs exactly one of \`with.code\` and \`with.file\``,
        {
          span: where(code === undefined ? [] : ["with", "file"], code !== undefined),
          hint: 'give it `with: {code: "print(1)"}` or `with: {file: scripts/step.py}`',
        },
      ),
    );
  } else if (code !== undefined && (typeof code !== "string" || code.trim() === "")) {
    errors.push(
      new LilyError("LILY-E0670", `\`with.code\` of python step \`${id}\` must be Python source`, {
        span: where(["with", "code"]),
        hint: "write the code as a YAML block string: `code: |` then the lines, indented",
      }),
    );
  } else if (typeof code === "string" && new TextEncoder().encode(code).length > MAX_CODE_BYTES) {
    errors.push(
      new LilyError(
        "LILY-E0677",
        `\`with.code\` of python step \`${id}\` is over ${MAX_CODE_BYTES / 1024} KiB`,
        {
          span: where(["with", "code"]),
          hint: "move it to a project file and name it with `with.file`",
        },
      ),
    );
  } else if (file !== undefined) {
    const bad = typeof file !== "string" || file === ""
      ? "is not a path"
      : isAbsolute(file) || /^[A-Za-z]:/.test(file)
      ? "is absolute"
      : normalize(file).split(/[\\/]/)[0] === ".."
      ? "leaves the project"
      : undefined;
    if (bad) {
      errors.push(
        new LilyError("LILY-E0671", `\`with.file\` of python step \`${id}\` ${bad}`, {
          span: where(["with", "file"]),
          hint: "name a Python file relative to the project root, e.g. `file: scripts/train.py`",
        }),
      );
    } else {
      plan.inputs[PYTHON_FILE_INPUT] = { type: "file", required: true, path: String(file) };
    }
  }
  // A param templated into the source becomes code (a `-p` value could run anything).
  const raw = source.rawCode;
  const templated = typeof raw === "string"
    ? /\{[{%][^]*?\bparams\.([A-Za-z_][A-Za-z0-9_-]*)?/.exec(raw)
    : null;
  if (typeof raw === "string" && templated) {
    const param = templated[1] ?? "x";
    const name = param.replaceAll("-", "_").toLowerCase();
    errors.push(
      new LilyError(
        "LILY-E0678",
        `\`with.code\` of python step \`${id}\` templates a param into Python source`,
        {
          // At the `{{` itself when the code's position is known.
          span: source.codeAt
            ? spanAt(source.codeAt, raw, templated.index, templated.index + 2)
            : where(["with", "code"]),
          hint: `pass it as an input: \`inputs: {${name}: {from: params.${param}}}\`, ` +
            `then \`lily.inputs["${name}"]\` in the code`,
        },
      ),
    );
  }
  if (step.inputs && PYTHON_FILE_INPUT in step.inputs) {
    errors.push(
      new LilyError(
        "LILY-E0676",
        `input \`${PYTHON_FILE_INPUT}\` of python step \`${id}\` is a reserved name`,
        {
          span: where(["inputs", PYTHON_FILE_INPUT], true),
          hint:
            "Lily binds `with.file` to this input (its content enters the cache key); rename it",
        },
      ),
    );
  }
  // `adapter: python` alone means pyodide (the only runtime that adapter runs).
  const runtime = withBlock.runtime ?? (step.adapter === PYODIDE_ADAPTER ? "pyodide" : "system");
  if (runtime === "pyodide") {
    withBlock.runtime = "pyodide";
    plan.adapter = planPyodide(step, withBlock, where, errors);
    return plan;
  } else if (runtime !== "system") {
    errors.push(
      new LilyError("LILY-E0672", `python step \`${id}\`: unknown \`with.runtime\``, {
        span: where(["with", "runtime"]),
        hint: `runtimes: ${listNames(PYTHON_RUNTIMES)}`,
      }),
    );
  }
  withBlock.runtime = "system";
  const python = withBlock.python ?? DEFAULT_PYTHON;
  if (typeof python !== "string" || python === "" || /\s/.test(python)) {
    errors.push(
      new LilyError(
        "LILY-E0673",
        `\`with.python\` of python step \`${id}\` must be a program name or path`,
        {
          span: where(["with", "python"]),
          hint: "e.g. `python: python3` (found on PATH at compose) or `python: /usr/bin/python3`",
        },
      ),
    );
  } else {
    withBlock.python = python;
    plan.binaries.push(python);
  }
  if (withBlock.packages !== undefined) {
    const packages = withBlock.packages;
    if (
      !Array.isArray(packages) ||
      packages.some((p) => typeof p !== "string" || !PACKAGE.test(p))
    ) {
      errors.push(
        new LilyError(
          "LILY-E0674",
          `\`with.packages\` of python step \`${id}\` must be a list of package names`,
          {
            span: where(["with", "packages"]),
            hint:
              "name distributions as pip does: `packages: [numpy, scikit-learn]` (versions are pinned by `lily sync`)",
          },
        ),
      );
    } else {
      withBlock.packages = [...new Set(packages as string[])].sort();
    }
  }
  return plan;
}

/** The python packages a lock pins: interpreter name → package → version (null: not taken). */
export type PythonPackagePins = Record<string, Record<string, string | null>>;

/**
 * The lock's `registry_pins.python_packages` for a plan: every package a python step names,
 * per interpreter, version not taken (`lily sync` takes them). Empty when no step names one,
 * so other locks do not change.
 */
export function pythonPackagePins(
  steps: readonly LockStep[],
): { python_packages?: PythonPackagePins } {
  const out: PythonPackagePins = {};
  for (const step of steps) {
    if (step.uses !== "python" || !Array.isArray(step.with.packages)) continue;
    const python = String(step.with.python ?? DEFAULT_PYTHON);
    for (const name of step.with.packages as string[]) (out[python] ??= {})[name] = null;
  }
  return Object.keys(out).length ? { python_packages: out } : {};
}

/**
 * The program a python step runs: `INTERPRETER -I -B -c PROGRAM` (runner and configuration). `-I` keeps
 * `PYTHON*` variables and the user's site directory out; `-B` writes no `.pyc` files.
 */
export function pythonSpec(
  step: LockStep,
  context: Omit<ExecSpec, "script" | "argv">,
  lock?: Pick<LockFile, "registry_pins">,
): ExecSpec {
  // Pyodide steps run in the `python` adapter, which reads the step itself (adapters/python.ts).
  if (step.with.runtime === "pyodide") return { ...context, argv: [] };
  const python = String(step.with.python ?? DEFAULT_PYTHON);
  const programs: Record<string, string> = {};
  for (const [name, path] of Object.entries(context.binaries)) {
    if (name !== python) programs[path] = name;
  }
  const inputs: Record<string, string> = {};
  for (const [name, io] of Object.entries(step.inputs)) {
    if (name !== PYTHON_FILE_INPUT) inputs[name] = io.type;
  }
  const pinned = lock?.registry_pins.python_packages?.[python] ?? {};
  const packages: Record<string, string | null> = {};
  for (const name of (step.with.packages as string[] | undefined) ?? []) {
    packages[name] = pinned[name] ?? null;
  }
  const config: RunnerConfig = {
    step: step.id,
    code: typeof step.with.code === "string" ? step.with.code : null,
    file: typeof step.with.file === "string" ? step.with.file : null,
    inputs,
    network: step.resources.network !== false,
    programs,
    packages,
  };
  return {
    ...context,
    argv: [python, "-I", "-B", "-c", runnerProgram(config)],
  };
}
