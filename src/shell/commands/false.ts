/**
 * `false`: does nothing, with status 1.
 * @module
 */
import type { Builtin } from "../types.ts";

/** `false` fails. */
export const falseCommand: Builtin = () => Promise.resolve(1);
