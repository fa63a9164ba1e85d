/**
 * `return [N]`: ends the innermost function call with status N (default: the last command's).
 * Outside a function it ends the script, as in dash.
 * @module
 */
import { complain } from "./_io.ts";
import { type Builtin, ReturnSignal, ShellExit } from "../types.ts";

/** The `return` built-in. */
export const returnCommand: Builtin = async (ctx) => {
  const arg = ctx.args[0];
  let code = Number(ctx.shell.getVar("?") ?? "0");
  if (arg !== undefined) {
    if (!/^\d+$/.test(arg)) {
      await complain(ctx, "return", `Illegal number: ${arg}`, 2);
      throw new ShellExit(2);
    }
    code = Number(arg) % 256;
  }
  if (ctx.shell.functionDepth === 0) throw new ShellExit(code);
  throw new ReturnSignal(code);
};
