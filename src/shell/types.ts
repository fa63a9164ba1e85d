/**
 * The interfaces between Lily's shell interpreter, its built-in commands and whoever runs it
 * (the engine in-process, or a sandbox host): byte sinks and sources, the policy that decides
 * what a script may start, read and write, and the denial a violation turns into.
 * @module
 */

/** Where a command's output goes. `write` resolves when the bytes are accepted (back-pressure). */
export interface Sink {
  write(chunk: Uint8Array): Promise<void> | void;
  /** True for a sink that drops everything (`/dev/null`): programs get no pipe at all. */
  readonly isNull?: boolean;
}

/** A sink that drops everything. */
export const NULL_SINK: Sink = { isNull: true, write() {} };

/** Where a command's input comes from. */
export type Input =
  | { kind: "null" }
  | { kind: "bytes"; data: Uint8Array }
  | { kind: "stream"; stream: ReadableStream<Uint8Array> };

/** A command's standard streams. */
export interface Io {
  stdin: Input;
  stdout: Sink;
  stderr: Sink;
}

/** What kind of access a policy denied. */
export type DenialKind = "run" | "read" | "write" | "net" | "env";

/**
 * A policy violation: the script tried something its step is not allowed to do. It ends the
 * script (whatever `set +e` or `|| true` say) and becomes the step's failure reason.
 */
export class ShellDenied extends Error {
  readonly kind: DenialKind;
  /** The program, path or host that was refused. */
  readonly target: string;
  readonly hint?: string;
  constructor(kind: DenialKind, target: string, message: string, hint?: string) {
    super(message);
    this.name = "ShellDenied";
    this.kind = kind;
    this.target = target;
    this.hint = hint;
  }
}

/** Whether an error is a policy refusal (Lily's or Deno's): built-ins never swallow one. */
export function isPolicyError(error: unknown): boolean {
  return error instanceof ShellDenied || error instanceof Deno.errors.NotCapable;
}

/** What a script may do. The interpreter checks it before acting; Deno's permissions again. */
export interface ShellPolicy {
  /** Allowed programs by the name a script uses: name → pinned absolute path. */
  binaries: Record<string, string>;
  /** Absolute directories (or files) built-ins may read. */
  readRoots: string[];
  /** Absolute directories built-ins may write. */
  writeRoots: string[];
  /** Inside the roots, but refused for both (Lily's own state). */
  denyRoots?: string[];
  /** Explains how to allow something (names the step and the policy line). */
  allowHint(kind: DenialKind, target: string): string;
}

/** The options `set` changes (`-e`, `-o pipefail`, `-x`, `-u`, `-C`, `-f`). */
export type ShellOption = "errexit" | "pipefail" | "xtrace" | "nounset" | "noclobber" | "noglob";

/** The state a built-in may read and change. */
export interface ShellApi {
  readonly cwd: string;
  /** An absolute path for `path`, relative to the current directory. */
  resolvePath(path: string): string;
  /** Throws {@linkcode ShellDenied} unless the policy lets built-ins read `absPath`. */
  checkRead(absPath: string): void;
  /** Throws {@linkcode ShellDenied} unless the policy lets built-ins write `absPath`. */
  checkWrite(absPath: string): void;
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  unsetVar(name: string): void;
  exportVar(name: string): void;
  /** Exported variables (what a program started now would see). */
  environment(): Record<string, string>;
  changeDir(absPath: string): void;
  setOption(name: ShellOption, on: boolean): void;
  /** How many `for`/`while`/`until` loops enclose the command (for `break` and `continue`). */
  readonly loopDepth: number;
  /** Marks a variable read-only: a later assignment or `unset` is an error. */
  setReadonly(name: string): void;
  /** Read-only variables. */
  readonly readonlyVars: ReadonlySet<string>;
  readonly options: Readonly<Record<ShellOption, boolean>>;
  /** The positional parameters (`$1`…): a function's arguments, or what `set --` gave. */
  positional: string[];
  /** How many function calls enclose the command (0 at the script's top level). */
  readonly functionDepth: number;
  /** `local NAME`: NAME gets its value back when the innermost function call returns. */
  makeLocal(name: string): void;
}

/** What a built-in command receives. */
export interface BuiltinContext {
  /** Arguments after the command name. */
  args: string[];
  shell: ShellApi;
  stdin: Input;
  stdout: Sink;
  stderr: Sink;
  signal: AbortSignal;
}

/** A built-in command: returns its exit status. */
export type Builtin = (ctx: BuiltinContext) => Promise<number>;

/** Thrown by `break N` and `continue N`: ends (or restarts) the N-th enclosing loop. */
export class LoopControl extends Error {
  readonly kind: "break" | "continue";
  readonly levels: number;
  constructor(kind: "break" | "continue", levels: number) {
    super(kind);
    this.name = "LoopControl";
    this.kind = kind;
    this.levels = levels;
  }
}

/** Thrown by an assignment to (or `unset` of) a read-only variable. */
export class ReadonlyError extends Error {
  readonly variable: string;
  constructor(variable: string) {
    super(`${variable}: is read only`);
    this.name = "ReadonlyError";
    this.variable = variable;
  }
}

/** Thrown by `exit` (and by errexit): ends the script or the subshell with `code`. */
export class ShellExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.name = "ShellExit";
    this.code = code;
  }
}

/** Thrown by `return [n]`: ends the innermost function call with status `code`. */
export class ReturnSignal extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`return ${code}`);
    this.name = "ReturnSignal";
    this.code = code;
  }
}
