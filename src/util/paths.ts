/**
 * Path facts shared by the policy checks (Lily's shell, output collection).
 * @module
 */
import { isAbsolute } from "node:path";

/**
 * Whether a relative path climbs out of its base: `..`, `../x`, or an absolute path (another
 * drive on Windows). A name that only starts with two dots (`..data`) stays inside.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { leavesRoot } from "./paths.ts";
 * assert(leavesRoot("../etc") && !leavesRoot("..data"));
 * ```
 */
export function leavesRoot(rel: string): boolean {
  return rel === ".." || rel.startsWith("../") || rel.startsWith("..\\") || isAbsolute(rel);
}
