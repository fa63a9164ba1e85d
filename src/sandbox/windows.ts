/**
 * OS isolation on Windows: none that Lily can set up for an unprivileged process. A step with
 * the network off is recorded as not enforced, and `--isolation strict` refuses to run it.
 * @module
 */

/** Windows has no prefix that isolates a host. */
export function hostPrefix(): { prefix: string[]; mechanism: string; filesystem: boolean } | null {
  return null;
}
