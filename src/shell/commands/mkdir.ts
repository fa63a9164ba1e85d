/**
 * `mkdir [-p] DIR…`.
 * @module
 */
import { complain, fsMessage, splitFlags } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin } from "../types.ts";

/** The `mkdir` built-in. */
export const mkdirCommand: Builtin = async (ctx) => {
  const { flags, operands, bad } = splitFlags(ctx.args, "pv");
  if (bad) return complain(ctx, "mkdir", `unknown option ${bad}`, 2);
  if (!operands.length) return complain(ctx, "mkdir", "missing operand", 2);
  let status = 0;
  for (const name of operands) {
    const path = ctx.shell.resolvePath(name);
    ctx.shell.checkWrite(path);
    try {
      await Deno.mkdir(path, { recursive: flags.has("p") });
    } catch (error) {
      if (isPolicyError(error)) throw error;
      status = await complain(ctx, "mkdir", fsMessage(error, name));
    }
  }
  return status;
};
