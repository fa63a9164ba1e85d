/**
 * `cat [FILE…]`: copies files (or stdin, for none or `-`) to stdout, streamed.
 * @module
 */
import { chunksOf, complain, fsMessage } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin } from "../types.ts";

/** The `cat` built-in. */
export const catCommand: Builtin = async (ctx) => {
  const files = ctx.args.filter((a) => a !== "-u");
  if (files.length === 0) files.push("-");
  let status = 0;
  for (const name of files) {
    if (name === "-") {
      for await (const chunk of chunksOf(ctx.stdin)) await ctx.stdout.write(chunk);
      continue;
    }
    const path = ctx.shell.resolvePath(name);
    ctx.shell.checkRead(path);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path);
    } catch (error) {
      if (isPolicyError(error)) throw error;
      status = await complain(ctx, "cat", fsMessage(error, name));
      continue;
    }
    try {
      for await (const chunk of file.readable) await ctx.stdout.write(chunk);
    } catch (error) {
      status = await complain(ctx, "cat", fsMessage(error, name));
    }
  }
  return status;
};
