/**
 * `break [N]`: leaves the N-th enclosing `for`/`while`/`until` loop (the innermost by default;
 * more than there are means the outermost). The loop's status is then 0.
 * @module
 */
import { loopControlCommand } from "./_loop_control.ts";
import type { Builtin } from "../types.ts";

/** The `break` built-in. */
export const breakCommand: Builtin = loopControlCommand("break");
