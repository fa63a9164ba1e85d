/**
 * OS isolation on Windows: none that Lily can set up for an unprivileged process. A step with
 * the network off is recorded as not enforced, and `--isolation strict` refuses to run it.
 * @module
 */

/** Windows has no prefix that takes the network away. */
export function networkOffPrefix(): { prefix: string[]; mechanism: string } | null {
  return null;
}
