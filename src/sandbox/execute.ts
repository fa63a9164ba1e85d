/**
 * Executes one attempt of a step from a plain, serializable description: the same code runs
 * in the engine's process (`--isolation none`) and inside a sandbox host (where Deno's
 * permissions and the OS enforce the policy a second time). Knows nothing about the DAG, the
 * cache or the lock.
 * @module
 */
import type { List } from "../shell/ast.ts";
import { runScript } from "../shell/exec.ts";
import { parseScript, ShellSyntaxError } from "../shell/parser.ts";
import type { ShellPolicy, Sink } from "../shell/types.ts";

/** What to run, fully resolved by the engine. JSON-serializable (it crosses to hosts). */
export interface ExecSpec {
  /** A Lily shell script, or a program with arguments (`process` steps, `shell: sh`). */
  script?: string;
  argv?: string[];
  /** A container image (`adapter: docker`): `argv` runs in it (adapters/docker.ts). */
  image?: string;
  cwd: string;
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  /** Programs the step may start: name → pinned absolute path. */
  binaries: Record<string, string>;
  readRoots: string[];
  writeRoots: string[];
  /** Inside the roots but refused (Lily's own state, `.lily/`). */
  denyRoots: string[];
  graceMs: number;
  /** `$$` for the script. */
  pid: number;
}

/** How an attempt ended. */
export interface ExecOutcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** The policy refused something (the step fails with this). */
  denied?: { kind: string; target: string; message: string };
  /** The step could not start (a syntax error, a missing program). */
  error?: { code: string; message: string; hint?: string };
  /** Programs started. */
  spawned: number;
  /** CPU time (user + system, ms, 10 ms resolution) of the programs, where it is measured. */
  cpuMs?: number;
}

/** Options for {@linkcode execute}. */
export interface ExecuteOptions {
  /** Called with the pid of each program started. */
  onSpawn?: (pid: number) => void;
  /** Whether this process may signal whole process trees (false inside a sandbox host). */
  killTrees?: boolean;
}

/** Runs `spec`, streaming its output to the sinks, until it ends or `signal` aborts. */
export async function execute(
  spec: ExecSpec,
  sinks: { stdout: Sink; stderr: Sink },
  signal: AbortSignal,
  options: ExecuteOptions = {},
): Promise<ExecOutcome> {
  const started = performance.now();
  let list: List;
  try {
    list = spec.script !== undefined ? parseScript(spec.script) : argvScript(spec.argv ?? []);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    return {
      exitCode: null,
      signal: null,
      durationMs: performance.now() - started,
      error: { code: "LILY-E0812", message: `the script does not parse: ${error.message}` },
      spawned: 0,
    };
  }
  const policy: ShellPolicy = {
    binaries: spec.binaries,
    readRoots: spec.readRoots,
    writeRoots: spec.writeRoots,
    denyRoots: spec.denyRoots,
    allowHint: () => "",
  };
  const result = await runScript(list, { stdin: { kind: "null" }, ...sinks }, {
    cwd: spec.cwd,
    env: spec.env,
    policy,
    signal,
    graceMs: spec.graceMs,
    pid: spec.pid,
    onSpawn: options.onSpawn,
    killTrees: options.killTrees ?? !options.onSpawn,
  });
  const outcome: ExecOutcome = {
    exitCode: result.exitCode,
    signal: null,
    durationMs: performance.now() - started,
    spawned: result.spawned,
  };
  if (result.denied) {
    outcome.denied = {
      kind: result.denied.kind,
      target: result.denied.target,
      message: result.denied.message,
    };
  }
  return outcome;
}

/** A program and its arguments as a one-command script (every word quoted, nothing expands). */
function argvScript(argv: string[]): List {
  const words = argv.map((text) => ({
    parts: [{ kind: "lit" as const, text, quoted: true }],
    pos: 0,
  }));
  // The shell's own settings do not apply to a bare program: no errexit message, same status.
  return {
    kind: "list",
    items: [{
      first: {
        negated: false,
        commands: [{ kind: "simple", assigns: [], words, redirects: [], pos: 0 }],
        stderrToo: [],
        pos: 0,
      },
      rest: [],
    }],
  };
}

/**
 * An attempt's result as an adapter reports it (adapters/types.ts's `StepResult` has these
 * fields and more; declared here so this folder does not import adapters/).
 */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  error?: { code: string; message: string; hint?: string };
  denied?: { kind: string; target: string; message: string };
  metrics?: Record<string, number>;
}

/** A step result from an executor's outcome. */
export function resultOf(outcome: ExecOutcome): ExecResult {
  return {
    exitCode: outcome.exitCode,
    signal: outcome.signal,
    durationMs: outcome.durationMs,
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.denied ? { denied: outcome.denied } : {}),
    metrics: {
      programs_started: outcome.spawned,
      ...(outcome.cpuMs !== undefined ? { programs_cpu_ms: outcome.cpuMs } : {}),
    },
  };
}
