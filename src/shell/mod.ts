/**
 * Lily's shell: a portable, sandbox-aware interpreter for `shell` steps. Parse once (compose
 * checks the commands a script starts against its policy), run in-process (built-ins are
 * functions; programs start only by their pinned paths). docs/shell.md is the user's guide.
 * @module
 */
export type * from "./ast.ts";
export { commandsOf, type CommandUse } from "./analyze.ts";
export { BUILTINS, isBuiltin } from "./commands/mod.ts";
export { denialFrom, runScript, type ShellOptions, type ShellResult } from "./exec.ts";
export { lineCol, parseScript, ShellSyntaxError } from "./parser.ts";
export {
  type Input,
  type Io,
  NULL_SINK,
  ShellDenied,
  type ShellPolicy,
  type Sink,
} from "./types.ts";
