/**
 * `rm [-r|-R] [-f] PATH…`. Refuses `/`, `.` and `..` (as GNU rm does).
 * @module
 */
import { complain, fsMessage, splitFlags } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin } from "../types.ts";

/** The `rm` built-in. */
export const rmCommand: Builtin = async (ctx) => {
  const { flags, operands, bad } = splitFlags(ctx.args, "rRfdv");
  if (bad) return complain(ctx, "rm", `unknown option ${bad}`, 2);
  const force = flags.has("f");
  if (!operands.length) return force ? 0 : complain(ctx, "rm", "missing operand", 2);
  let status = 0;
  for (const name of operands) {
    const path = ctx.shell.resolvePath(name);
    if (path === "/" || /(^|\/)\.\.?\/?$/.test(name)) {
      status = await complain(ctx, "rm", `refusing to remove '${name}'`);
      continue;
    }
    ctx.shell.checkWrite(path);
    try {
      const stat = await Deno.lstat(path);
      if (stat.isDirectory && !flags.has("r") && !flags.has("R") && !flags.has("d")) {
        status = await complain(ctx, "rm", `cannot remove '${name}': Is a directory`);
        continue;
      }
      await Deno.remove(path, { recursive: flags.has("r") || flags.has("R") });
    } catch (error) {
      if (isPolicyError(error)) throw error;
      if (force && error instanceof Deno.errors.NotFound) continue;
      status = await complain(ctx, "rm", `cannot remove ${fsMessage(error, `'${name}'`)}`);
    }
  }
  return status;
};
