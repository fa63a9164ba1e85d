/**
 * The interpreter's state and its walk over the syntax tree: options, functions, positional
 * parameters and variables (variables.ts) — together the {@linkcode ShellApi} built-ins see —
 * and the dispatch of lists, pipelines and simple commands to the parts that do the work:
 * control.ts (if, case, loops), pipeline.ts, redirect.ts, policy.ts (what may run), spawn.ts
 * (programs) and commands/ (built-ins). It opens no file and starts no program itself.
 * @module
 */
import { resolve } from "node:path";
import type { Command, FunctionDef, List, Pipeline, Simple, Word } from "./ast.ts";
import { BUILTINS } from "./commands/mod.ts";
import { runCase, runFor, runIf, runWhile } from "./control.ts";
import { expandFields, type ExpandScope, expandString } from "./expand.ts";
import { runPipeline } from "./pipeline.ts";
import { checkProgramEnv, checkRead, checkWrite, denialFrom, programPath } from "./policy.ts";
import { applyRedirects } from "./redirect.ts";
import { type Processes, spawnProgram } from "./spawn.ts";
import { BrokenPipe, captureSink, writeText } from "./sinks.ts";
import { Variables } from "./variables.ts";
import {
  type Builtin,
  type Io,
  LoopControl,
  ReadonlyError,
  ReturnSignal,
  type ShellApi,
  ShellExit,
  type ShellOption,
  type ShellPolicy,
} from "./types.ts";

/** Function calls may nest this deep (as dash); deeper ends the script with status 2. */
export const MAX_FUNCTION_DEPTH = 1000;

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

/** State shared by a script and all its subshells. */
export interface Shared {
  policy: ShellPolicy;
  signal: AbortSignal;
  processes: Processes;
  /** The value of `$$`. */
  pid: number;
  /** Cap on what one command substitution may capture, in bytes. */
  maxCapture: number;
  /** Commands run since the event loop last had a turn. */
  sinceYield: number;
}

/** A prefix assignment (`A=1 cmd`): the name and its expanded value. */
type Assignment = [string, string];

/** The shell: one per script, and one copy per subshell. */
export class Interpreter implements ShellApi {
  cwd: string;
  private vars: Variables;
  options: Record<ShellOption, boolean> = {
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
  /** Functions defined so far, by name. */
  private functions = new Map<string, FunctionDef>();
  /** `$1`, `$2`, …: the arguments of the innermost function call (or `set --`). */
  positional: string[] = [];
  /** Enclosing function calls. */
  functionDepth = 0;

  constructor(readonly shared: Shared, cwd: string, env: Record<string, string>) {
    this.cwd = cwd;
    this.vars = new Variables(env);
    this.vars.setInternal("PWD", cwd);
    this.vars.export("PWD");
    // As dash and bash: IFS starts as the three blanks, whatever the environment says.
    this.vars.setInternal("IFS", " \t\n");
    this.vars.unexport("IFS");
  }

  /** Runs a whole script (or a subshell's list). */
  run(list: List, io: Io): Promise<number> {
    return this.list(list, io, false);
  }

  /** A subshell: a copy of the state, sharing processes and policy. */
  private fork(): Interpreter {
    const copy = new Interpreter(this.shared, this.cwd, {});
    copy.vars = this.vars.copy();
    copy.options = { ...this.options };
    copy.status = this.status;
    copy.loopDepth = this.loopDepth;
    copy.functions = new Map(this.functions);
    copy.positional = this.positional;
    copy.functionDepth = this.functionDepth;
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

  // What the other parts of the interpreter read -------------------------------------------

  get policy(): ShellPolicy {
    return this.shared.policy;
  }

  get signal(): AbortSignal {
    return this.shared.signal;
  }

  get noclobber(): boolean {
    return this.options.noclobber;
  }

  get pipefail(): boolean {
    return this.options.pipefail;
  }

  /** The state expansion reads and changes, reporting its errors on `io.stderr`. */
  scope(io: Io): ExpandScope {
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

  /** A word's fields: expanded, split and globbed. */
  fields(word: Word, io: Io): Promise<string[]> {
    return expandFields(word, this.scope(io));
  }

  /** A word expanded to one string (no splitting, no globbing). */
  expandWord(word: Word, io: Io): Promise<string> {
    return expandString(word, this.scope(io));
  }

  /** One stage of a pipeline, in a subshell of its own. */
  stage(command: Command, io: Io): Promise<number> {
    return this.forked(this.fork(), (sub) => sub.command(command, io, false));
  }

  killAll(): void {
    this.shared.processes.killAll();
  }

  // ShellApi ------------------------------------------------------------------------------

  resolvePath(path: string): string {
    return resolve(this.cwd, path);
  }

  checkRead(absPath: string): void {
    checkRead(this.shared.policy, absPath);
  }

  checkWrite(absPath: string): void {
    checkWrite(this.shared.policy, absPath);
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
    this.vars.set(name, value);
  }

  unsetVar(name: string): void {
    this.vars.unset(name);
  }

  setReadonly(name: string): void {
    this.vars.setReadonly(name);
  }

  get readonlyVars(): ReadonlySet<string> {
    return this.vars.readonlyNames;
  }

  exportVar(name: string): void {
    this.vars.export(name);
  }

  environment(): Record<string, string> {
    return this.vars.environment();
  }

  changeDir(absPath: string): void {
    this.vars.setInternal("OLDPWD", this.cwd);
    this.cwd = absPath;
    this.vars.setInternal("PWD", absPath);
  }

  makeLocal(name: string): void {
    this.vars.makeLocal(name);
  }

  setOption(name: ShellOption, on: boolean): void {
    this.options[name] = on;
  }

  // Execution -----------------------------------------------------------------------------

  /** Runs a list; `condition` is true where a failure must not end the script (errexit). */
  async list(list: List, io: Io, condition: boolean): Promise<number> {
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
      status = await runPipeline(p, io, this);
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

  private async command(command: Command, io: Io, condition: boolean): Promise<number> {
    if (command.kind === "simple") return this.simple(command, io, condition);
    const redirected = await applyRedirects(command.redirects, io, this);
    if (typeof redirected === "number") return redirected;
    try {
      const inner = redirected.io;
      switch (command.kind) {
        case "function":
          this.functions.set(command.name, command);
          return 0;
        case "subshell":
          return await this.forked(this.fork(), (sub) => sub.list(command.body, inner, condition));
        case "group":
          return await this.list(command.body, inner, condition);
        case "case":
          return await runCase(this, command, inner, condition);
        case "if":
          return await runIf(this, command, inner, condition);
        case "for":
          return await runFor(this, command, inner, condition);
        case "while":
          return await runWhile(this, command, inner, condition);
      }
    } finally {
      await redirected.close();
    }
  }

  /** `$(body)`: its output, run in a subshell; its status is kept for the assignment. */
  private async substitute(body: List, io: Io): Promise<string> {
    const capture = captureSink(this.shared.maxCapture);
    const sub = this.fork();
    sub.loopDepth = 0;
    this.substituted = await this.forked(sub, (sub) =>
      sub.list(body, {
        stdin: io.stdin,
        stdout: capture,
        stderr: io.stderr,
      }, false));
    return capture.text();
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
    const assigns: Assignment[] = [];
    if (args.length === 0) {
      // Left to right: `a=1 b=$a` sees the new `a`.
      for (const a of cmd.assigns) this.setVar(a.name, await expandString(a.value, this.scope(io)));
      const redirected = await applyRedirects(cmd.redirects, io, this);
      if (typeof redirected === "number") return redirected;
      await redirected.close();
      // An assignment's status is that of its last command substitution.
      return this.substituted ?? 0;
    }
    for (const a of cmd.assigns) {
      if (this.vars.isReadonly(a.name)) throw new ReadonlyError(a.name);
      assigns.push([a.name, await expandString(a.value, this.scope(io))]);
    }
    if (this.options.xtrace) {
      await writeText(
        io.stderr,
        `+ ${[...assigns.map(([k, v]) => `${k}=${v}`), ...args].join(" ")}\n`,
      );
    }
    const redirected = await applyRedirects(cmd.redirects, io, this);
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
      if (def) {
        return await this.vars.withAssigns(
          assigns,
          () => this.call(def, rest, redirected.io, condition),
        );
      }
      const builtin = name.includes("/") ? undefined : BUILTINS[name];
      if (builtin && Object.hasOwn(BUILTINS, name)) {
        return await this.vars.withAssigns(
          assigns,
          () => this.builtin(builtin, rest, redirected.io),
        );
      }
      const policy = this.shared.policy;
      const program = programPath(policy, name, this.cwd);
      const env = this.environment();
      for (const [k, v] of assigns) env[k] = v;
      checkProgramEnv(policy, env);
      return await spawnProgram(
        { program, name, args: rest, env, cwd: this.cwd, io: redirected.io, policy },
        this.shared.processes,
      );
    } finally {
      await redirected.close();
    }
  }

  private async builtin(builtin: Builtin, args: string[], io: Io): Promise<number> {
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
    }
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
    this.vars.pushFrame();
    try {
      return await this.command(def.body, io, condition);
    } catch (error) {
      if (error instanceof ReturnSignal) return error.code;
      throw error;
    } finally {
      this.positional = saved.positional;
      this.loopDepth = saved.loopDepth;
      this.functionDepth--;
      this.vars.popFrame();
    }
  }
}

function isAssignmentWord(word: Word): boolean {
  const first = word.parts[0];
  return first?.kind === "lit" && !first.quoted && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text);
}
