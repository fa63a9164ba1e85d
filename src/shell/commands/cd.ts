/**
 * `cd [DIR]`: changes the current directory (and `$PWD`, `$OLDPWD`; `cd -` goes back). `cd`
 * alone goes to the project root (`$LILY_PROJECT_ROOT`), not $HOME: a step has no home of its
 * own.
 * @module
 */
import { complain, writeText } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin } from "../types.ts";

/** The `cd` built-in. */
export const cdCommand: Builtin = async (ctx) => {
  const target = ctx.args[0] === "-" ? ctx.shell.getVar("OLDPWD") : ctx.args[0];
  const dir = ctx.shell.resolvePath(
    target ?? ctx.shell.getVar("LILY_PROJECT_ROOT") ?? ctx.shell.cwd,
  );
  ctx.shell.checkRead(dir);
  try {
    if (!(await Deno.stat(dir)).isDirectory) {
      return complain(ctx, "cd", `${target}: Not a directory`);
    }
  } catch (error) {
    if (isPolicyError(error)) throw error;
    return complain(ctx, "cd", `${target}: No such file or directory`);
  }
  ctx.shell.changeDir(dir);
  if (ctx.args[0] === "-") await writeText(ctx.stdout, dir + "\n");
  return 0;
};
