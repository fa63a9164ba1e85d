/**
 * `touch FILE…`: creates files, or updates their modification time.
 * @module
 */
import { complain, fsMessage, splitFlags } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin } from "../types.ts";

/** The `touch` built-in. */
export const touchCommand: Builtin = async (ctx) => {
  const { flags, operands, bad } = splitFlags(ctx.args, "cam");
  if (bad) return complain(ctx, "touch", `unknown option ${bad}`, 2);
  if (!operands.length) return complain(ctx, "touch", "missing file operand", 2);
  let status = 0;
  const now = new Date();
  for (const name of operands) {
    const path = ctx.shell.resolvePath(name);
    ctx.shell.checkWrite(path);
    try {
      try {
        await Deno.utime(path, now, now);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound) || flags.has("c")) throw error;
        (await Deno.open(path, { create: true, write: true })).close();
      }
    } catch (error) {
      if (isPolicyError(error)) throw error;
      if (error instanceof Deno.errors.NotFound && flags.has("c")) continue;
      status = await complain(ctx, "touch", fsMessage(error, name));
    }
  }
  return status;
};
