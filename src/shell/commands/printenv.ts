/**
 * `printenv [NAME…]`: prints exported variables (all, sorted, as `NAME=value`; or the values of
 * the names given, status 1 when one is not exported), as a program started now would see them.
 * @module
 */
import { writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

/** The `printenv [NAME…]` built-in. */
export const printenvCommand: Builtin = async (ctx) => {
  const env = ctx.shell.environment();
  if (ctx.args.length === 0) {
    await writeText(
      ctx.stdout,
      Object.keys(env).sort().map((k) => `${k}=${env[k]}\n`).join(""),
    );
    return 0;
  }
  let status = 0;
  for (const name of ctx.args) {
    if (name in env) await writeText(ctx.stdout, env[name] + "\n");
    else status = 1;
  }
  return status;
};
