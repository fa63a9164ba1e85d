/**
 * `local NAME[=value]…` (not POSIX; as dash has it): each NAME gets its value back when the
 * function returns. Outside a function it is an error (status 2).
 * @module
 */
import { complain } from "./_io.ts";
import type { Builtin } from "../types.ts";

/** The `local` built-in. `local NAME` keeps the current value (dash; bash would unset it). */
export const localCommand: Builtin = async (ctx) => {
  if (ctx.shell.functionDepth === 0) return await complain(ctx, "local", "not in a function", 2);
  for (const arg of ctx.args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) return await complain(ctx, "local", `${arg}: bad variable name`, 2);
    ctx.shell.makeLocal(m[1]);
    if (m[2] !== undefined) ctx.shell.setVar(m[1], m[2]);
  }
  return 0;
};
