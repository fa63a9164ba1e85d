/**
 * The interpreter of Lily's shell. It runs a parsed script in-process: built-ins are functions
 * (their file access checked against the policy, then by Deno's permissions), and a program is
 * started only by its pinned absolute path — a name is never looked up on PATH, so a script can
 * start exactly the programs its step allows, in every command of every pipeline. `errexit` and
 * `pipefail` are on by default (as in GitHub Actions' `bash -eo pipefail`).
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import type { Command, FunctionDef, List, Pipeline, Redirect, Simple, Word } from "./ast.ts";
import { BUILTINS } from "./commands/mod.ts";
import {
  expandFields,
  expandPattern,
  type ExpandScope,
  expandString,
  matchPattern,
} from "./expand.ts";
import { loaderVariable } from "./loader_env.ts";
import { processTree, signalAll } from "./process_tree.ts";
import { leavesRoot } from "../util/paths.ts";
import {
  type BuiltinContext,
  type Input,
  type Io,
  LoopControl,
  NULL_SINK,
  ReadonlyError,
  ReturnSignal,
  type ShellApi,
  ShellDenied,
  ShellExit,
  type ShellOption,
  type ShellPolicy,
  type Sink,
} from "./types.ts";

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
  startOptions?: Partial<Record<Option, boolean>>;
}

/** How a script ended. */
export interface ShellResult {
  exitCode: number;
  /** Set when the script tried something its policy does not allow (the script was stopped). */
  denied?: ShellDenied;
  /** Programs started, for the enforcement record. */
  spawned: number;
}

type Option = ShellOption;

/** A write to a pipe whose reader has gone (the shell's SIGPIPE). */
class BrokenPipe extends Error {}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

const encoder = new TextEncoder();

/** State shared by a script and all its subshells. */
interface Shared {
  policy: ShellPolicy;
  signal: AbortSignal;
  children: Set<Deno.ChildProcess>;
  pid: number;
  maxCapture: number;
  spawned: number;
  onSpawn?: (pid: number) => void;
  /** Kills every program the script started (SIGKILL). */
  killAll(): void;
  /** Commands run since the event loop last had a turn. */
  sinceYield: number;
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
  const shared: Shared = {
    policy: options.policy,
    signal: options.signal,
    children: new Set(),
    pid: options.pid ?? Deno.pid,
    maxCapture: options.maxCapture ?? 16 << 20,
    spawned: 0,
    onSpawn: options.onSpawn,
    killAll: () => signalChildren("SIGKILL"),
    sinceYield: 0,
  };
  const trees = options.killTrees ?? true;
  const grace = options.graceMs ?? 2000;
  const doomed = new Set<number>();
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const signalChildren = (signal: Deno.Signal) => {
    if (!trees) {
      for (const child of shared.children) {
        try {
          child.kill(signal);
        } catch {
          // gone
        }
      }
      return;
    }
    for (const child of shared.children) for (const pid of processTree(child.pid)) doomed.add(pid);
    signalAll(doomed, signal);
  };
  const onAbort = () => {
    signalChildren("SIGTERM");
    killTimer = setTimeout(() => signalChildren("SIGKILL"), grace);
  };
  options.signal.addEventListener("abort", onAbort, { once: true });
  const shell = new Interpreter(shared, options.cwd, options.env);
  Object.assign(shell.options, options.startOptions ?? {});
  try {
    const exitCode = await shell.run(list, io);
    return { exitCode, spawned: shared.spawned };
  } catch (error) {
    if (error instanceof ShellExit) return { exitCode: error.code, spawned: shared.spawned };
    if (error instanceof LoopControl) return { exitCode: 0, spawned: shared.spawned };
    if (error instanceof ReadonlyError) return { exitCode: 2, spawned: shared.spawned };
    if (error instanceof ShellDenied) {
      // Whatever else the script started (other stages of a pipeline) ends with it.
      signalChildren("SIGKILL");
      return { exitCode: 126, denied: error, spawned: shared.spawned };
    }
    throw error;
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    if (killTimer !== undefined) {
      clearTimeout(killTimer);
      // Whatever the step left behind does not outlive it.
      signalAll(doomed, "SIGKILL");
    }
  }
}

/** Turns Deno's permission error into a denial naming what was refused. */
export function denialFrom(error: Error, policy: ShellPolicy): ShellDenied {
  const loader = /subprocess with (\w+) environment variable/.exec(error.message);
  if (loader) {
    return new ShellDenied(
      "env",
      loader[1],
      `passing \`${loader[1]}\` to a program is not allowed in a sandboxed step`,
      policy.allowHint("env", loader[1]),
    );
  }
  const m = /Requires (\w+) access to "?([^",]*)"?/.exec(error.message);
  const kind = ({ read: "read", write: "write", run: "run", net: "net", env: "env" } as const)[
    m?.[1] as "read"
  ] ?? "run";
  const target = m?.[2] ?? "";
  return new ShellDenied(
    kind,
    target,
    `${verb(kind)} \`${target}\` is not allowed by the step's policy`,
    policy.allowHint(kind, target),
  );
}

function verb(kind: string): string {
  return ({ read: "reading", write: "writing", run: "running", net: "connecting to" } as Record<
    string,
    string
  >)[kind] ?? "using";
}

/**
 * The path with every symlink resolved, existing or not: a dangling link is followed to where
 * it points, a missing tail is kept as written.
 */
function realish(path: string, depth = 0): string {
  if (depth > 40) throw new Deno.errors.NotFound(`too many levels of symbolic links: ${path}`);
  try {
    return Deno.realPathSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (info?.isSymlink) {
    return realish(resolve(dirname(path), Deno.readLinkSync(path)), depth + 1);
  }
  const parent = dirname(path);
  if (parent === path) return path;
  return join(realish(parent, depth + 1), basename(path));
}

function within(path: string, roots: string[]): boolean {
  for (const root of roots) {
    if (path === root) return true;
    const rel = relative(root, path);
    if (rel && !leavesRoot(rel)) return true;
  }
  return false;
}

class Interpreter implements ShellApi {
  cwd: string;
  private vars: Map<string, string>;
  private exported: Set<string>;
  options: Record<Option, boolean> = {
    errexit: true,
    pipefail: true,
    xtrace: false,
    nounset: false,
    noclobber: false,
    noglob: false,
  };
  private status = 0;
  /** The status of the last command substitution of the command being expanded. */
  private substituted: number | undefined;
  /** Enclosing loops (`break`/`continue`). */
  loopDepth = 0;
  private readonlySet = new Set<string>();
  /** Functions defined so far, by name. */
  private functions = new Map<string, FunctionDef>();
  /** `$1`, `$2`, …: the arguments of the innermost function call (or `set --`). */
  positional: string[] = [];
  /** Enclosing function calls. */
  functionDepth = 0;
  /** Per enclosing call: the variables `local` saved (value, exported), restored at return. */
  private locals: Map<string, [string | undefined, boolean]>[] = [];

  constructor(readonly shared: Shared, cwd: string, env: Record<string, string>) {
    this.cwd = cwd;
    this.vars = new Map(Object.entries(env));
    this.exported = new Set(Object.keys(env));
    this.vars.set("PWD", cwd);
    this.exported.add("PWD");
    // As dash and bash: IFS starts as the three blanks, whatever the environment says.
    this.vars.set("IFS", " \t\n");
    this.exported.delete("IFS");
  }

  /** A subshell: a copy of the state, sharing processes and policy. */
  private fork(): Interpreter {
    const copy = new Interpreter(this.shared, this.cwd, {});
    copy.vars = new Map(this.vars);
    copy.exported = new Set(this.exported);
    copy.options = { ...this.options };
    copy.status = this.status;
    copy.loopDepth = this.loopDepth;
    copy.readonlySet = new Set(this.readonlySet);
    copy.functions = new Map(this.functions);
    copy.positional = this.positional;
    copy.functionDepth = this.functionDepth;
    copy.locals = this.locals.map((frame) => new Map(frame));
    return copy;
  }

  /**
   * Runs `fn` in a subshell `sub`: `exit` ends only it, and `break`/`continue` leave it (the
   * loop they name is in the parent's copy, as in dash).
   */
  private async forked(sub: Interpreter, fn: (sub: Interpreter) => Promise<number>) {
    try {
      return await fn(sub);
    } catch (error) {
      if (error instanceof ShellExit) return error.code;
      // `return` in a subshell of a function ends the subshell, as in dash.
      if (error instanceof ReturnSignal) return error.code;
      if (error instanceof LoopControl) return 0;
      if (error instanceof ReadonlyError) return 2;
      throw error;
    }
  }

  run(list: List, io: Io): Promise<number> {
    return this.list(list, io, false);
  }

  // ShellApi ------------------------------------------------------------------------------

  resolvePath(path: string): string {
    return resolve(this.cwd, path);
  }

  checkRead(absPath: string): void {
    const policy = this.shared.policy;
    this.checkPath("read", absPath, [...policy.readRoots, ...policy.writeRoots]);
  }

  checkWrite(absPath: string): void {
    this.checkPath("write", absPath, this.shared.policy.writeRoots);
  }

  private checkPath(kind: "read" | "write", absPath: string, roots: string[]): void {
    const deny = (target: string) =>
      new ShellDenied(
        kind,
        target,
        `${verb(kind)} \`${target}\` is not allowed by the step's policy`,
        this.shared.policy.allowHint(kind, target),
      );
    const denied = this.shared.policy.denyRoots ?? [];
    if (!within(absPath, roots) || within(absPath, denied)) throw deny(absPath);
    // A symlink inside the roots must not lead outside them (even one whose target does not
    // exist yet: writing through it would create the target).
    let real: string;
    try {
      real = realish(absPath);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw deny(absPath);
      throw error;
    }
    if (real !== absPath && (!within(real, roots) || within(real, denied))) {
      throw deny(`${absPath} → ${real}`);
    }
  }

  getVar(name: string): string | undefined {
    if (name === "?") return String(this.status);
    if (name === "$") return String(this.shared.pid);
    if (name === "#") return String(this.positional.length);
    if (name === "@" || name === "*") {
      // `"$*"` joins with IFS's first character (a space when IFS is unset).
      const ifs = this.vars.get("IFS");
      return this.positional.join(ifs === undefined ? " " : ifs.slice(0, 1));
    }
    if (/^[1-9][0-9]*$/.test(name)) return this.positional[Number(name) - 1];
    if (name === "0") return "lily-shell";
    if (name === "-") {
      return (this.options.errexit ? "e" : "") + (this.options.xtrace ? "x" : "") +
        (this.options.nounset ? "u" : "") + (this.options.noclobber ? "C" : "") +
        (this.options.noglob ? "f" : "");
    }
    return this.vars.get(name);
  }

  setVar(name: string, value: string): void {
    if (this.readonlySet.has(name)) throw new ReadonlyError(name);
    this.vars.set(name, value);
  }

  unsetVar(name: string): void {
    if (this.readonlySet.has(name)) throw new ReadonlyError(name);
    this.vars.delete(name);
    this.exported.delete(name);
  }

  setReadonly(name: string): void {
    this.readonlySet.add(name);
  }

  get readonlyVars(): ReadonlySet<string> {
    return this.readonlySet;
  }

  exportVar(name: string): void {
    this.exported.add(name);
  }

  environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of this.exported) {
      const value = this.vars.get(name);
      if (value !== undefined) env[name] = value;
    }
    return env;
  }

  changeDir(absPath: string): void {
    this.vars.set("OLDPWD", this.cwd);
    this.cwd = absPath;
    this.vars.set("PWD", absPath);
  }

  makeLocal(name: string): void {
    const frame = this.locals[this.locals.length - 1];
    if (!frame || frame.has(name)) return;
    frame.set(name, [this.vars.get(name), this.exported.has(name)]);
  }

  /** Runs a function with `args` as its positional parameters. */
  private async call(def: FunctionDef, args: string[], io: Io, condition: boolean) {
    if (this.functionDepth >= MAX_FUNCTION_DEPTH) {
      await writeText(
        io.stderr,
        `lily-shell: ${def.name}: functions nest deeper than ${MAX_FUNCTION_DEPTH} calls\n`,
      );
      throw new ShellExit(2);
    }
    const saved = { positional: this.positional, loopDepth: this.loopDepth };
    this.positional = args;
    this.loopDepth = 0;
    this.functionDepth++;
    this.locals.push(new Map());
    try {
      const status = await this.command(def.body, io, condition);
      return status;
    } catch (error) {
      if (error instanceof ReturnSignal) return error.code;
      throw error;
    } finally {
      this.positional = saved.positional;
      this.loopDepth = saved.loopDepth;
      this.functionDepth--;
      for (const [name, [value, exported]] of this.locals.pop()!) {
        if (value === undefined) this.vars.delete(name);
        else this.vars.set(name, value);
        if (exported) this.exported.add(name);
        else this.exported.delete(name);
      }
    }
  }

  setOption(name: Option, on: boolean): void {
    this.options[name] = on;
  }

  // Execution -----------------------------------------------------------------------------

  private async list(list: List, io: Io, condition: boolean): Promise<number> {
    let status = 0;
    for (const item of list.items) {
      // Built-ins never wait on anything: a loop of them would starve the event loop, and with
      // it the timeout that must stop it.
      if (++this.shared.sinceYield >= 500) {
        this.shared.sinceYield = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (this.shared.signal.aborted) throw new ShellExit(143);
      status = await this.pipeline(item.first, io, condition || item.rest.length > 0);
      for (let i = 0; i < item.rest.length; i++) {
        const { op, pipeline } = item.rest[i];
        if ((op === "&&") !== (status === 0)) continue;
        status = await this.pipeline(pipeline, io, condition || i < item.rest.length - 1);
      }
    }
    return status;
  }

  private async pipeline(p: Pipeline, io: Io, condition: boolean): Promise<number> {
    const quiet = condition || p.negated;
    let status: number;
    if (p.commands.length === 1) {
      status = await this.command(p.commands[0], io, quiet);
    } else {
      status = await this.pipe(p, io);
    }
    if (p.negated) status = status === 0 ? 1 : 0;
    this.status = status;
    // A compound command's status never ends the script by itself: a command in it that failed
    // where errexit applies already did (`{ a && b; }` failing at `a` does not), as in dash.
    const compound = p.commands.length === 1 && p.commands[0].kind !== "simple" &&
      p.commands[0].kind !== "subshell";
    if (!quiet && !compound && status !== 0 && this.options.errexit) throw new ShellExit(status);
    return status;
  }

  private async pipe(p: Pipeline, io: Io): Promise<number> {
    const n = p.commands.length;
    const pipes = Array.from({ length: n - 1 }, () => new TransformStream<Uint8Array>());
    const sinks = pipes.map((pipe) => pipeSink(pipe.writable));
    const sources = pipes.map((pipe) => ownedStream(pipe.readable));
    const stages = p.commands.map(async (command, i) => {
      const out = i < n - 1 ? sinks[i] : undefined;
      const stdin: Input = i === 0 ? io.stdin : { kind: "stream", stream: sources[i - 1].stream };
      let status: number;
      try {
        status = await this.forked(this.fork(), (sub) =>
          sub.command(command, {
            stdin,
            stdout: out ?? io.stdout,
            stderr: out && p.stderrToo[i] ? out : io.stderr,
          }, false));
      } finally {
        // A reader that stopped early: the writer before it gets a broken pipe (also when a
        // built-in such as `read` still holds the stream), and never waits on it again.
        if (i > 0) await sources[i - 1].stop();
        await out?.close();
      }
      return status;
    });
    let statuses: number[];
    try {
      statuses = await Promise.all(stages);
    } catch (error) {
      // A denial in one stage ends the others (and the script) now.
      this.shared.killAll();
      await Promise.allSettled(stages);
      throw error;
    }
    if (this.options.pipefail) {
      for (let i = statuses.length - 1; i >= 0; i--) if (statuses[i] !== 0) return statuses[i];
      return 0;
    }
    return statuses[statuses.length - 1];
  }

  private async command(command: Command, io: Io, condition: boolean): Promise<number> {
    if (command.kind === "simple") return this.simple(command, io, condition);
    const redirected = await this.redirect(command.redirects, io);
    if (typeof redirected === "number") return redirected;
    try {
      const inner = redirected.io;
      switch (command.kind) {
        case "function":
          this.functions.set(command.name, command);
          return 0;
        case "subshell":
          return await this.forked(this.fork(), (sub) => sub.list(command.body, inner, condition));
        case "case": {
          const subject = await expandString(command.word, this.scope(inner));
          for (const item of command.items) {
            for (const pattern of item.patterns) {
              if (matchPattern(await expandPattern(pattern, this.scope(inner)), subject)) {
                return await this.list(item.body, inner, condition);
              }
            }
          }
          return 0;
        }
        case "group":
          return await this.list(command.body, inner, condition);
        case "if": {
          for (const clause of command.clauses) {
            if ((await this.list(clause.cond, inner, true)) === 0) {
              return await this.list(clause.body, inner, condition);
            }
          }
          return command.otherwise ? await this.list(command.otherwise, inner, condition) : 0;
        }
        case "for": {
          const items: string[] = [];
          for (const word of command.items) items.push(...await this.fields(word, inner));
          let status = 0;
          this.loopDepth++;
          try {
            for (const item of items) {
              this.setVar(command.name, item);
              const round = await this.round(() => this.list(command.body, inner, condition));
              if (round === "break") {
                status = 0;
                break;
              }
              status = round === "continue" ? 0 : round;
            }
          } finally {
            this.loopDepth--;
          }
          return status;
        }
        case "while": {
          let status = 0;
          this.loopDepth++;
          try {
            for (;;) {
              if (this.shared.signal.aborted) throw new ShellExit(143);
              const test = await this.round(() => this.list(command.cond, inner, true));
              if (test === "break") {
                status = 0;
                break;
              }
              if (test === "continue") continue;
              if ((test === 0) === command.until) break;
              const round = await this.round(() => this.list(command.body, inner, condition));
              if (round === "break") {
                status = 0;
                break;
              }
              status = round === "continue" ? 0 : round;
            }
          } finally {
            this.loopDepth--;
          }
          return status;
        }
      }
    } finally {
      await redirected.close();
    }
  }

  /** One round of a loop: its status, or the `break`/`continue` aimed at this loop. */
  private async round(fn: () => Promise<number>): Promise<number | "break" | "continue"> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof LoopControl)) throw error;
      if (error.levels > 1) throw new LoopControl(error.kind, error.levels - 1);
      return error.kind;
    }
  }

  private scope(io: Io): ExpandScope {
    return {
      cwd: this.cwd,
      getVar: (name) => this.getVar(name),
      setVar: (name, value) => this.setVar(name, value),
      substitute: (body) => this.substitute(body, io),
      checkRead: (dir) => this.checkRead(dir),
      error: (message) => writeText(io.stderr, `lily-shell: ${message}\n`),
      nounset: this.options.nounset,
      noglob: this.options.noglob,
      positional: () => this.positional,
    };
  }

  private fields(word: Word, io: Io): Promise<string[]> {
    return expandFields(word, this.scope(io));
  }

  private async substitute(body: List, io: Io): Promise<string> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const max = this.shared.maxCapture;
    const capture: Sink = {
      write: (chunk) => {
        size += chunk.length;
        if (size > max) throw new Error(`a command substitution captured more than ${max} bytes`);
        chunks.push(chunk);
      },
    };
    const sub = this.fork();
    sub.loopDepth = 0;
    this.substituted = await this.forked(sub, (sub) =>
      sub.list(body, {
        stdin: io.stdin,
        stdout: capture,
        stderr: io.stderr,
      }, false));
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return new TextDecoder().decode(all);
  }

  private async simple(cmd: Simple, io: Io, condition: boolean): Promise<number> {
    try {
      return await this.simpleCommand(cmd, io, condition);
    } catch (error) {
      if (!(error instanceof ReadonlyError)) throw error;
      // As in dash: an assignment to a read-only variable ends the (sub)shell.
      await writeText(io.stderr, `lily-shell: ${error.message}\n`);
      throw new ShellExit(2);
    }
  }

  private async simpleCommand(cmd: Simple, io: Io, condition: boolean): Promise<number> {
    this.substituted = undefined;
    const args: string[] = [];
    for (let i = 0; i < cmd.words.length; i++) {
      const word = cmd.words[i];
      // `export NAME=$value`: an assignment is one field, as in every shell.
      if (i > 0 && (args[0] === "export" || args[0] === "readonly") && isAssignmentWord(word)) {
        args.push(await expandString(word, this.scope(io)));
      } else args.push(...await this.fields(word, io));
    }
    const assigns: [string, string][] = [];
    if (args.length === 0) {
      // Left to right: `a=1 b=$a` sees the new `a`.
      for (const a of cmd.assigns) this.setVar(a.name, await expandString(a.value, this.scope(io)));
      const redirected = await this.redirect(cmd.redirects, io);
      if (typeof redirected === "number") return redirected;
      await redirected.close();
      // An assignment's status is that of its last command substitution.
      return this.substituted ?? 0;
    }
    for (const a of cmd.assigns) {
      if (this.readonlySet.has(a.name)) throw new ReadonlyError(a.name);
      assigns.push([a.name, await expandString(a.value, this.scope(io))]);
    }
    if (this.options.xtrace) {
      await writeText(
        io.stderr,
        `+ ${[...assigns.map(([k, v]) => `${k}=${v}`), ...args].join(" ")}\n`,
      );
    }
    const redirected = await this.redirect(cmd.redirects, io);
    if (typeof redirected === "number") {
      // As POSIX says: a redirection error on a special built-in ends the (sub)shell.
      if (SPECIAL.has(args[0])) throw new ShellExit(2);
      return redirected;
    }
    try {
      const [name, ...rest] = args;
      if (name === "") {
        await writeText(redirected.io.stderr, "lily-shell: : not found\n");
        return 127;
      }
      // POSIX: special built-ins first, then functions, then the other built-ins and programs.
      const def = SPECIAL.has(name) ? undefined : this.functions.get(name);
      if (def) return await this.callWith(def, rest, assigns, redirected.io, condition);
      const builtin = name.includes("/") ? undefined : BUILTINS[name];
      if (builtin && Object.hasOwn(BUILTINS, name)) {
        return await this.builtin(builtin, rest, assigns, redirected.io);
      }
      const program = this.program(name);
      const env = this.environment();
      for (const [k, v] of assigns) env[k] = v;
      return await this.spawn(program, name, rest, env, redirected.io);
    } finally {
      await redirected.close();
    }
  }

  /** A function call; `A=1 f` sets A during the call only (as dash does). */
  private async callWith(
    def: FunctionDef,
    args: string[],
    assigns: [string, string][],
    io: Io,
    condition: boolean,
  ): Promise<number> {
    const saved = assigns.map(([k]) => [k, this.vars.get(k), this.exported.has(k)] as const);
    for (const [k, v] of assigns) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    try {
      return await this.call(def, args, io, condition);
    } finally {
      for (const [k, v, wasExported] of saved) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
        if (!wasExported) this.exported.delete(k);
      }
    }
  }

  private async builtin(
    builtin: (ctx: BuiltinContext) => Promise<number>,
    args: string[],
    assigns: [string, string][],
    io: Io,
  ): Promise<number> {
    const saved = assigns.map(([k]) => [k, this.vars.get(k), this.exported.has(k)] as const);
    for (const [k, v] of assigns) {
      this.vars.set(k, v);
      this.exported.add(k);
    }
    try {
      return await builtin({
        args,
        shell: this,
        stdin: io.stdin,
        stdout: io.stdout,
        stderr: io.stderr,
        signal: this.shared.signal,
      });
    } catch (error) {
      // Like SIGPIPE: the writing stage ends, whatever `set +e` says.
      if (error instanceof BrokenPipe) throw new ShellExit(141);
      if (error instanceof Deno.errors.NotCapable) throw denialFrom(error, this.shared.policy);
      throw error;
    } finally {
      for (const [k, v, wasExported] of saved) {
        if (v === undefined) this.vars.delete(k);
        else this.vars.set(k, v);
        if (!wasExported) this.exported.delete(k);
      }
    }
  }

  /** The absolute path a command name starts, or a denial. PATH is never searched. */
  private program(name: string): string {
    const policy = this.shared.policy;
    if (Object.hasOwn(policy.binaries, name)) return policy.binaries[name];
    if (name.includes("/") || name.includes("\\")) {
      const abs = this.resolvePath(name);
      const allowed = new Set(Object.values(policy.binaries));
      if (allowed.has(abs)) return abs;
      try {
        const real = Deno.realPathSync(abs);
        if (allowed.has(real)) return real;
      } catch {
        // not there, or not readable: denied below
      }
    }
    throw new ShellDenied(
      "run",
      name,
      `running \`${name}\` is not allowed by the step's policy (it is not a built-in of Lily's shell and not an allowed binary)`,
      policy.allowHint("run", name),
    );
  }

  private async spawn(
    program: string,
    name: string,
    args: string[],
    env: Record<string, string>,
    io: Io,
  ): Promise<number> {
    let child: Deno.ChildProcess;
    const windowsBatch = Deno.build.os === "windows" && /\.(cmd|bat)$/i.test(program);
    const loader = loaderVariable(env);
    if (loader) {
      throw new ShellDenied(
        "env",
        loader,
        `passing \`${loader}\` to a program is not allowed in a sandboxed step`,
        this.shared.policy.allowHint("env", loader),
      );
    }
    try {
      child = new Deno.Command(windowsBatch ? "cmd.exe" : program, {
        args: windowsBatch ? ["/d", "/s", "/c", program, ...args] : args,
        cwd: this.cwd,
        env,
        clearEnv: true,
        stdin: io.stdin.kind === "null" ? "null" : "piped",
        stdout: io.stdout.isNull ? "null" : "piped",
        stderr: io.stderr.isNull ? "null" : "piped",
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw denialFrom(error, this.shared.policy);
      if (error instanceof Deno.errors.NotFound) {
        await writeText(io.stderr, `lily-shell: ${name}: not found (${program})\n`);
        return 127;
      }
      await writeText(io.stderr, `lily-shell: ${name}: ${(error as Error).message}\n`);
      return 126;
    }
    this.shared.spawned++;
    this.shared.children.add(child);
    this.shared.onSpawn?.(child.pid);
    try {
      const pumps: Promise<void>[] = [];
      if (io.stdin.kind !== "null") pumps.push(feed(io.stdin, child.stdin));
      if (!io.stdout.isNull) pumps.push(drain(child.stdout, io.stdout));
      if (!io.stderr.isNull) pumps.push(drain(child.stderr, io.stderr));
      const [status] = await Promise.all([child.status, ...pumps]);
      if (status.signal) return 128 + (SIGNALS[status.signal] ?? 1);
      return status.code;
    } finally {
      this.shared.children.delete(child);
    }
  }

  /** Applies redirections; a number is the status of a redirection that failed. */
  private async redirect(
    redirects: Redirect[],
    io: Io,
  ): Promise<{ io: Io; close: () => Promise<void> } | number> {
    if (redirects.length === 0) return { io, close: () => Promise.resolve() };
    const files: Deno.FsFile[] = [];
    const close = async () => {
      for (const f of files) {
        try {
          f.close();
        } catch {
          // closed by its stream
        }
      }
      await Promise.resolve();
    };
    let { stdin, stdout, stderr } = io;
    for (const r of redirects) {
      if (r.dup !== null) {
        const target = r.dup === 1 ? stdout : stderr;
        if (r.fd === 1) stdout = target;
        else stderr = target;
        continue;
      }
      if (r.op === "<<") {
        let text: string;
        try {
          text = await expandString(r.heredoc!.body, this.scope(io));
        } catch (error) {
          // As in dash: an expansion error in a here-document fails the command, not the shell.
          if (!(error instanceof ShellExit)) throw error;
          await close();
          return error.code;
        }
        stdin = { kind: "bytes", data: encoder.encode(text) };
        continue;
      }
      const name = await expandString(r.target!, this.scope(io));
      if (name === "") {
        await close();
        await writeText(io.stderr, "lily-shell: : No such file or directory\n");
        return 1;
      }
      if (name === "/dev/null") {
        if (r.op === "<") stdin = { kind: "null" };
        else {
          if (r.fd === 1 || r.fd === "&") stdout = NULL_SINK;
          if (r.fd === 2 || r.fd === "&") stderr = NULL_SINK;
        }
        continue;
      }
      if (name === "/dev/stderr" || name === "/dev/stdout") {
        const target = name === "/dev/stderr" ? stderr : stdout;
        if (r.fd === 1 || r.fd === "&") stdout = target;
        if (r.fd === 2 || r.fd === "&") stderr = target;
        continue;
      }
      const path = this.resolvePath(name);
      try {
        if (r.op === "<") {
          this.checkRead(path);
          const file = await Deno.open(path, { read: true });
          files.push(file);
          stdin = { kind: "stream", stream: file.readable };
        } else {
          this.checkWrite(path);
          if (this.options.noclobber && r.op === ">" && !r.force) {
            const existing = await Deno.stat(path).catch(() => undefined);
            if (existing?.isFile) {
              await close();
              await writeText(io.stderr, `lily-shell: ${name}: cannot overwrite existing file\n`);
              return 1;
            }
          }
          const file = await Deno.open(path, {
            write: true,
            create: true,
            truncate: r.op === ">",
            append: r.op === ">>",
          });
          files.push(file);
          const sink = fileSink(file);
          if (r.fd === 1 || r.fd === "&") stdout = sink;
          if (r.fd === 2 || r.fd === "&") stderr = sink;
        }
      } catch (error) {
        await close();
        if (error instanceof ShellDenied) throw error;
        if (error instanceof Deno.errors.NotCapable) throw denialFrom(error, this.shared.policy);
        const why = error instanceof Deno.errors.NotFound
          ? "No such file or directory"
          : error instanceof Deno.errors.IsADirectory
          ? "Is a directory"
          : (error as Error).message;
        await writeText(io.stderr, `lily-shell: ${name}: ${why}\n`);
        return 1;
      }
    }
    return { io: { stdin, stdout, stderr }, close };
  }
}

/** POSIX's special built-ins that Lily's shell has. */
const SPECIAL = new Set([
  ":",
  "break",
  "continue",
  "exit",
  "export",
  "readonly",
  "return",
  "set",
  "shift",
  "unset",
]);

/** Function calls may nest this deep (as dash); deeper ends the script with status 2. */
export const MAX_FUNCTION_DEPTH = 1000;

function isAssignmentWord(word: Word): boolean {
  const first = word.parts[0];
  return first?.kind === "lit" && !first.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text);
}

async function writeText(sink: Sink, text: string): Promise<void> {
  if (!sink.isNull) await sink.write(encoder.encode(text));
}

function pipeSink(
  writable: WritableStream<Uint8Array>,
): Sink & { close(): Promise<void> } {
  const writer = writable.getWriter();
  let broken = false;
  return {
    async write(chunk) {
      if (broken) throw new BrokenPipe();
      try {
        await writer.write(chunk);
      } catch {
        broken = true;
        throw new BrokenPipe();
      }
    },
    async close() {
      try {
        await writer.close();
      } catch {
        // the reader is gone
      }
    },
  };
}

/**
 * The read end of a pipe, held by the shell: the stage reads `stream`, and `stop()` closes the
 * pipe when the stage ends, even while a built-in still holds `stream` (the writer then gets a
 * broken pipe instead of waiting forever for a reader).
 */
function ownedStream(source: ReadableStream<Uint8Array>) {
  const reader = source.getReader();
  let stopped = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done || stopped) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      stopped = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    stream,
    stop: async () => {
      stopped = true;
      await reader.cancel().catch(() => {});
    },
  };
}

function fileSink(file: Deno.FsFile): Sink {
  return {
    async write(chunk) {
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
    },
  };
}

async function feed(input: Input, stdin: WritableStream<Uint8Array>): Promise<void> {
  const writer = stdin.getWriter();
  try {
    if (input.kind === "bytes") await writer.write(input.data);
    else if (input.kind === "stream") {
      for await (const chunk of input.stream) await writer.write(chunk);
    }
    await writer.close();
  } catch {
    // The program stopped reading (it exited, or closed its stdin): like SIGPIPE for us.
    await writer.abort().catch(() => {});
  }
}

async function drain(stream: ReadableStream<Uint8Array>, sink: Sink): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await sink.write(value);
    }
  } catch (error) {
    if (!(error instanceof BrokenPipe)) throw error;
    // The reader downstream is gone: close our end so the program gets SIGPIPE.
    await reader.cancel().catch(() => {});
  }
}
