/**
 * `exit [N]` ends the script (or the subshell) with status N (default: the last status), and
 * `sleep SECONDS` waits (suffixes s, m, h; stops early when the step is cancelled).
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

/** The `sleep` built-in. */
export const sleepCommand: Builtin = async (ctx) => {
  let ms = 0;
  for (const arg of ctx.args) {
    const m = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(arg);
    if (!m) return complain(ctx, "sleep", `invalid time interval '${arg}'`);
    ms += Number(m[1]) * ({ "": 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]]!);
  }
  if (ctx.signal.aborted) return 130;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", done);
      resolve();
    }
    ctx.signal.addEventListener("abort", done, { once: true });
  });
  return ctx.signal.aborted ? 130 : 0;
};
