/**
 * `sleep SECONDS…`: waits (suffixes s, m, h, d; fractions allowed; several intervals add up). It
 * stops early, with status 130, when the step is cancelled.
 * @module
 */
import { complain } from "./_io.ts";
import type { Builtin } from "../types.ts";

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
