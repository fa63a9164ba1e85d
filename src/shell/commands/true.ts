/**
 * `true` (and `:`, its special-built-in twin): does nothing, successfully.
 * @module
 */
import type { Builtin } from "../types.ts";

/** `true` and `:` succeed. */
export const trueCommand: Builtin = () => Promise.resolve(0);
