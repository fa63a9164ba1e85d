/**
 * The adapters this version of Lily has: where a step executes (`adapter:` in Petal, always
 * set in the lock). Each adapter is one file in this folder behind the `Adapter` interface
 * (types.ts); it registers here with a factory. The engine creates an adapter on the first step
 * that needs it (a fully cached run loads none) and closes it at the end of the run. Compose
 * accepts exactly the adapters named here (src/steps/support.ts reads this table).
 * @module
 */
import type { IsolationMode } from "../src/sandbox/isolation.ts";
import type { Adapter } from "./types.ts";

/** What an adapter factory gets from the engine. */
export interface AdapterContext {
  /** The project root (absolute). */
  projectRoot: string;
  /** The run's `-j`. */
  jobs: number;
  /** `--isolation`: `auto`, `none` or `strict`. */
  isolation: IsolationMode;
  /** Host environment lookup (the engine's view). */
  getHostEnv: (name: string) => string | undefined;
  /** The run's directory (`.lily/runs/<id>`): where a kind runner may write its own records. */
  runDir?: string;
  /**
   * Options of `lily run` that only one kind reads (`--approve`, `--answers`, `--cassettes`…),
   * by the option's name as the kind runner documents it. The engine passes them through.
   */
  kindOptions?: Readonly<Record<string, unknown>>;
  /** The lock file being run, when there is one (an llm step records its model pin there). */
  lockPath?: string;
  /** The workflow's name (`name:` of the lock): where an llm step's cassette is filed. */
  workflow?: string;
}

/** Creates an adapter for one run. */
export type AdapterFactory = (context: AdapterContext) => Promise<Adapter>;

/**
 * The adapters, by the name a lock step's `adapter:` gives. `process`: a program on this
 * machine, in a sandbox host (the default) or, with `--isolation none`, in the engine's
 * process. `python`: a `python` step with `runtime: pyodide`, in a pyodide worker with no
 * permission beyond pyodide's own files (adapters/python.ts). `docker`: a step in a container
 * (adapters/docker.ts). `http`: one HTTP request sent by the engine (docs/http.md). Modules are
 * imported lazily: a run loads only the adapters its steps use.
 */
export const ADAPTER_FACTORIES: Record<string, AdapterFactory> = {
  process: async (context) =>
    context.isolation === "none"
      ? (await import("./process.ts")).processAdapter()
      : (await import("./sandbox.ts")).sandboxAdapter({
        cwd: context.projectRoot,
        hostsPerSet: Math.min(context.jobs, 2),
      }),
  python: async (context) =>
    (await import("./python.ts")).pythonAdapter({ maxIdle: Math.max(2, context.jobs) }),
  docker: async (context) => (await import("./docker.ts")).dockerAdapter(context),
  http: async (context) => (await import("./http.ts")).httpAdapter(context),
};

/**
 * Step kinds that run in Lily's own process instead of through the step's `adapter:` (a
 * human gate asks on the terminal; an llm step calls its provider's API): the kind's runner
 * serves every step of that kind, whatever the step's adapter (compose refuses an adapter
 * that makes no sense for the kind). A kind registers here with one line; its compose side
 * (`with:` schema, checks, the lock step) stays in `src/steps/<kind>.ts`.
 */
export const KIND_RUNNERS: Record<string, AdapterFactory> = {
  foreach: async (context) => (await import("./foreach.ts")).foreachRunner(context),
  human: async (context) => (await import("./human.ts")).humanRunner(context),
  llm: async (context) => (await import("./llm.ts")).llmRunner(context),
};

/** The names of the adapters this version runs. */
export function implementedAdapters(): string[] {
  return Object.keys(ADAPTER_FACTORIES);
}
