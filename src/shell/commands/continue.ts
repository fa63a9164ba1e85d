/**
 * `continue [N]`: goes on with the next round of the N-th enclosing `for`/`while`/`until` loop
 * (the innermost by default; more than there are means the outermost).
 * @module
 */
import { loopControlCommand } from "./_loop_control.ts";
import type { Builtin } from "../types.ts";

/** The `continue` built-in. */
export const continueCommand: Builtin = loopControlCommand("continue");
