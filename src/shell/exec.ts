/**
 * Running a script: the entry point. It runs a parsed script in-process: built-ins are functions
 * (their file access checked against the policy, then by Deno's permissions), and a program is
 * started only by its pinned absolute path — a name is never looked up on PATH, so a script can
 * start exactly the programs its step allows, in every command of every pipeline. `errexit` and
 * `pipefail` are on by default (as in GitHub Actions' `bash -eo pipefail`).
 *
 * This file only wires the parts: interpreter.ts walks the script; policy.ts decides what it may
 * touch; redirect.ts, sinks.ts, spawn.ts, pipeline.ts and control.ts do the rest; commands/ holds
 * one file per built-in.
 * @module
 */
import type { List } from "./ast.ts";
import { Interpreter } from "./interpreter.ts";
import { Processes } from "./spawn.ts";
import {
  type Io,
  LoopControl,
  ReadonlyError,
  ShellDenied,
  ShellExit,
  type ShellOption,
  type ShellPolicy,
} from "./types.ts";

export { denialFrom } from "./policy.ts";
export { MAX_FUNCTION_DEPTH } from "./interpreter.ts";

/** Options for {@linkcode runScript}. */
export interface ShellOptions {
  cwd: string;
  /** The initial variables; all are exported to programs the script starts. */
  env: Record<string, string>;
  policy: ShellPolicy;
  signal: AbortSignal;
  /** Time between SIGTERM and SIGKILL when the signal aborts, in ms. */
  graceMs?: number;
  /** The value of `$$` (a number unique to this attempt). */
  pid?: number;
  /** Cap on what one command substitution may capture, in bytes (default 16 MiB). */
  maxCapture?: number;
  /** Called with the pid of each program started (a sandbox host reports them). */
  onSpawn?: (pid: number) => void;
  /**
   * On abort, signal each program's whole process tree (default), or only the programs
   * themselves (a sandbox host, which may not signal other processes: the engine kills the
   * trees from the pids `onSpawn` reported).
   */
  killTrees?: boolean;
  /** The options the script starts with (default: `errexit` and `pipefail` on, as documented). */
  startOptions?: Partial<Record<ShellOption, boolean>>;
}

/** How a script ended. */
export interface ShellResult {
  exitCode: number;
  /** Set when the script tried something its policy does not allow (the script was stopped). */
  denied?: ShellDenied;
  /** Programs started, for the enforcement record. */
  spawned: number;
}

/**
 * Runs a parsed script to completion.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseScript } from "./parser.ts";
 * import { runScript } from "./exec.ts";
 * const chunks: Uint8Array[] = [];
 * const sink = { write: (c: Uint8Array) => void chunks.push(c) };
 * const result = await runScript(parseScript("x=4; echo $((x * 2))"), {
 *   stdin: { kind: "null" }, stdout: sink, stderr: sink,
 * }, {
 *   cwd: "/", env: {}, signal: new AbortController().signal,
 *   policy: { binaries: {}, readRoots: [], writeRoots: [], allowHint: () => "" },
 * });
 * assert(result.exitCode === 0 && new TextDecoder().decode(chunks[0]) === "8\n");
 * ```
 */
export async function runScript(list: List, io: Io, options: ShellOptions): Promise<ShellResult> {
  const processes = new Processes({
    onSpawn: options.onSpawn,
    killTrees: options.killTrees ?? true,
  });
  const unwatch = processes.watch(options.signal, options.graceMs ?? 2000);
  const shell = new Interpreter(
    {
      policy: options.policy,
      signal: options.signal,
      processes,
      pid: options.pid ?? Deno.pid,
      maxCapture: options.maxCapture ?? 16 << 20,
      sinceYield: 0,
    },
    options.cwd,
    options.env,
  );
  Object.assign(shell.options, options.startOptions ?? {});
  const ended = (exitCode: number, denied?: ShellDenied): ShellResult =>
    denied
      ? { exitCode, denied, spawned: processes.spawned }
      : { exitCode, spawned: processes.spawned };
  try {
    return ended(await shell.run(list, io));
  } catch (error) {
    if (error instanceof ShellExit) return ended(error.code);
    if (error instanceof LoopControl) return ended(0);
    if (error instanceof ReadonlyError) return ended(2);
    if (error instanceof ShellDenied) {
      // Whatever else the script started (other stages of a pipeline) ends with it.
      processes.killAll();
      return ended(126, error);
    }
    throw error;
  } finally {
    unwatch();
  }
}
