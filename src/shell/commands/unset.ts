/**
 * `unset [-v] NAME…`: removes variables from the shell and from the environment of programs. An
 * unknown name is fine; a read-only one ends the shell with status 2.
 * @module
 */
import type { Builtin } from "../types.ts";

/** The `unset` built-in. */
export const unsetCommand: Builtin = (ctx) => {
  for (const name of ctx.args) if (name !== "-v") ctx.shell.unsetVar(name);
  return Promise.resolve(0);
};
