/**
 * `shift [N]`: drops the first N positional parameters (1 by default). Shifting more than there
 * are is an error that ends the (sub)shell with status 2, as in dash.
 * @module
 */
import { complain } from "./_io.ts";
import { type Builtin, ShellExit } from "../types.ts";

/** The `shift` built-in. */
export const shiftCommand: Builtin = async (ctx) => {
  const arg = ctx.args[0] ?? "1";
  const n = /^\d+$/.test(arg) ? Number(arg) : NaN;
  if (!(n <= ctx.shell.positional.length)) {
    // As dash: a special built-in's error ends the (sub)shell.
    await complain(
      ctx,
      "shift",
      Number.isNaN(n) ? `Illegal number: ${arg}` : "can't shift that many",
      2,
    );
    throw new ShellExit(2);
  }
  ctx.shell.positional = ctx.shell.positional.slice(n);
  return 0;
};
