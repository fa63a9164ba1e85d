/**
 * `set [-+exuCf] [-+o NAME] [--] [ARG…]`: turns options on (`-`) and off (`+`), and with
 * arguments (or `--`) sets the positional parameters.
 * @module
 */
import { complain } from "./_io.ts";
import type { Builtin, ShellOption } from "../types.ts";

const LONG: Record<string, ShellOption> = {
  errexit: "errexit",
  pipefail: "pipefail",
  xtrace: "xtrace",
  nounset: "nounset",
  noclobber: "noclobber",
  noglob: "noglob",
};
const SHORT: Record<string, ShellOption> = {
  e: "errexit",
  x: "xtrace",
  u: "nounset",
  C: "noclobber",
  f: "noglob",
};

/**
 * The `set` built-in: `-e`/`+e`, `-u`, `-x`, `-o pipefail` and their `+` forms; `set -- a b`
 * (or `set a b`) sets the positional parameters.
 */
export const setCommand: Builtin = async (ctx) => {
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const on = arg[0] === "-";
    if (arg === "--" || !/^[-+]/.test(arg)) {
      // `set -- a b`, `set a b`: the positional parameters.
      ctx.shell.positional = args.slice(arg === "--" ? i + 1 : i);
      return 0;
    }
    if (arg.length < 2) continue;
    for (const f of arg.slice(1)) {
      if (f === "o") {
        const given = args[++i] ?? "";
        // Own keys only: `set -o constructor` must not find Object.prototype's members.
        const name = Object.hasOwn(LONG, given) ? LONG[given] : undefined;
        if (!name) return await complain(ctx, "set", `${args[i] ?? ""}: invalid option name`, 2);
        ctx.shell.setOption(name, on);
      } else if (Object.hasOwn(SHORT, f)) ctx.shell.setOption(SHORT[f], on);
      else return await complain(ctx, "set", `${arg[0]}${f}: invalid option`, 2);
    }
  }
  return 0;
};
