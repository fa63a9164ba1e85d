/**
 * What `break [N]` and `continue [N]` share: N's check, and the signal that reaches the N-th
 * enclosing loop (control.ts catches it). Outside a loop both do nothing (status 0), as in dash.
 * @module
 */
import { complain } from "./_io.ts";
import { type Builtin, LoopControl, ShellExit } from "../types.ts";

/** The built-in `break` or `continue`. */
export function loopControlCommand(kind: "break" | "continue"): Builtin {
  return async (ctx) => {
    const arg = ctx.args[0];
    let levels = 1;
    if (arg !== undefined) {
      if (!/^\d+$/.test(arg) || Number(arg) < 1) {
        // As dash: a special built-in's usage error ends the (sub)shell.
        await complain(ctx, kind, `Illegal number: ${arg}`, 2);
        throw new ShellExit(2);
      }
      levels = Number(arg);
    }
    if (ctx.shell.loopDepth === 0) return 0;
    throw new LoopControl(kind, Math.min(levels, ctx.shell.loopDepth));
  };
}
