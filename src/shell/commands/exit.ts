/**
 * `exit [N]`: ends the script (or the subshell) with status N modulo 256 (default: the last
 * status). A non-numeric N is an error that ends it with status 2, as in dash.
 * @module
 */
import { complain } from "./_io.ts";
import { type Builtin, ShellExit } from "../types.ts";

/** The `exit` built-in. */
export const exitCommand: Builtin = async (ctx) => {
  const arg = ctx.args[0];
  if (arg !== undefined && !/^-?\d+$/.test(arg)) {
    await complain(ctx, "exit", `${arg}: numeric argument required`, 2);
    throw new ShellExit(2);
  }
  const last = Number(ctx.shell.getVar("?") ?? 0);
  throw new ShellExit(arg === undefined ? last : ((Number(arg) % 256) + 256) % 256);
};
