/**
 * The built-ins that only make sense with functions and positional parameters: `return [n]`,
 * `shift [n]` and `local NAME[=value]…` (as dash has it).
 * @module
 */
import { complain } from "./_io.ts";
import { type Builtin, ReturnSignal, ShellExit } from "../types.ts";

/**
 * `return [n]`: ends the innermost function call with status n (default: the last command's).
 * Outside a function it ends the script, as in dash.
 */
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

/** `shift [n]`: drops the first n positional parameters (1 by default). */
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

/**
 * `local NAME[=value]…` (not POSIX; as dash has it): each NAME gets its value back when the
 * function returns. `local NAME` keeps the current value (dash; bash would unset it).
 */
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
