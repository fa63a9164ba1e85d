/**
 * Compose-time rules of `python` steps with `runtime: pyodide` (CPython in WebAssembly, run
 * by the `python` adapter, adapters/python.ts), and of the `python` adapter itself: it runs
 * exactly those steps. A pyodide step pins no interpreter (the npm package's version is in
 * deno.lock) and names no packages: the npm `pyodide` package ships none of pyodide's wheels,
 * and Lily fetches nothing at run time.
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { LilyError, type Span } from "../errors.ts";

/** The adapter a `python` step with `runtime: pyodide` runs in. */
export const PYODIDE_ADAPTER = "python" as const;

/** The directory of the npm `pyodide` package (its wasm, stdlib and lock file). */
export function pyodideDir(): string {
  return dirname(fileURLToPath(import.meta.resolve("pyodide")));
}

let version: string | undefined;

/**
 * The version of the npm `pyodide` package this Lily uses (deno.json's import), from its path in
 * Deno's npm cache, else its package.json. Compose writes it into the lock (`with.pyodide`), so
 * it enters the step's cache key as an interpreter pin does.
 */
export function pyodideVersion(): string {
  if (version) return version;
  const dir = pyodideDir();
  const fromPath = /[\\/]pyodide[\\/](\d[^\\/]*)$/.exec(dir)?.[1];
  if (fromPath) return version = fromPath;
  try {
    return version = String(JSON.parse(Deno.readTextFileSync(`${dir}/package.json`)).version);
  } catch {
    return version = "unknown";
  }
}

/** Where a field of the step is (path below the step; `key` for the key itself). */
type Where = (path: string[], key?: boolean) => Span | undefined;

/**
 * Checks the `with:` fields that mean nothing (or cannot be honoured) with `runtime: pyodide`,
 * and the step's `adapter:`. Returns the adapter the lock names.
 */
export function planPyodide(
  step: { id: string; adapter?: string },
  withBlock: Record<string, unknown>,
  where: Where,
  errors: LilyError[],
): typeof PYODIDE_ADAPTER {
  const id = step.id;
  if (withBlock.python !== undefined) {
    errors.push(
      new LilyError(
        "LILY-E0683",
        `python step \`${id}\`: \`with.python\` names an interpreter, and \`runtime: pyodide\` runs its own`,
        {
          span: where(["with", "python"], true),
          hint: "remove `with.python`, or use `runtime: system` to run that interpreter",
        },
      ),
    );
  }
  const packages = withBlock.packages;
  if (packages !== undefined && !(Array.isArray(packages) && packages.length === 0)) {
    errors.push(
      new LilyError(
        "LILY-E0682",
        `python step \`${id}\`: \`runtime: pyodide\` cannot load packages (${
          Array.isArray(packages) ? packages.map(String).join(", ") : String(packages)
        }): the npm pyodide package ships no wheels, and Lily fetches nothing at run time`,
        {
          span: where(["with", "packages"]),
          hint:
            "use `runtime: system` with the packages installed for that interpreter (`lily sync` pins them), or only the standard library",
        },
      ),
    );
  }
  if (step.adapter !== undefined && step.adapter !== PYODIDE_ADAPTER) {
    errors.push(
      new LilyError(
        "LILY-E0684",
        `python step \`${id}\`: \`runtime: pyodide\` runs in \`adapter: ${PYODIDE_ADAPTER}\`, not \`${step.adapter}\``,
        {
          span: where(["adapter"]),
          hint: `remove \`adapter:\` (pyodide steps get \`adapter: ${PYODIDE_ADAPTER}\`)`,
        },
      ),
    );
  }
  withBlock.pyodide = pyodideVersion();
  return PYODIDE_ADAPTER;
}

/**
 * LILY-E0684 for a step that names `adapter: python` but is not a python step with
 * `runtime: pyodide` (the only steps that adapter runs).
 */
export function pythonAdapterErrors(
  step: { id: string; uses: string; adapter?: string; with?: Record<string, unknown> },
  where: Where,
): LilyError[] {
  if (step.adapter !== PYODIDE_ADAPTER) return [];
  const runtime = step.with?.runtime ?? (step.uses === "python" ? "pyodide" : undefined);
  if (step.uses === "python" && runtime === "pyodide") return [];
  return [
    new LilyError(
      "LILY-E0684",
      step.uses === "python"
        ? `python step \`${step.id}\`: \`adapter: ${PYODIDE_ADAPTER}\` runs \`runtime: pyodide\`, not \`runtime: ${runtime}\``
        : `step \`${step.id}\`: \`adapter: ${PYODIDE_ADAPTER}\` runs only \`uses: python\` steps`,
      {
        span: where(["adapter"]),
        hint: step.uses === "python"
          ? "remove `adapter:` to run the step in the system interpreter, or set `runtime: pyodide`"
          : "remove `adapter:`, or write the step as `uses: python` with `with: {runtime: pyodide}`",
      },
    ),
  ];
}
