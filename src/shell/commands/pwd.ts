/**
 * `pwd`: prints the current directory (the shell's, which `cd` keeps; never the host's).
 * @module
 */
import { writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

/** The `pwd` built-in. */
export const pwdCommand: Builtin = async (ctx) => {
  await writeText(ctx.stdout, ctx.shell.cwd + "\n");
  return 0;
};
