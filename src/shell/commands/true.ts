/**
 * `true`, `false` and `:`: exit statuses only.
 * @module
 */
import type { Builtin } from "../types.ts";

/** `true` and `:` succeed. */
export const trueCommand: Builtin = () => Promise.resolve(0);
/** `false` fails. */
export const falseCommand: Builtin = () => Promise.resolve(1);
