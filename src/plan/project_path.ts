/**
 * Paths that name project files (`inputs.<n>.path`, `outputs.<n>.path`): relative, inside
 * the project root.
 * @module
 */

/** Why a project-relative path is unsafe, or undefined when it is fine. */
export function unsafePath(path: string): string | undefined {
  if (path.trim() === "") return "is empty";
  if (/^([A-Za-z]:|[\\/]{2}|\/|\\)/.test(path)) return "is absolute";
  const parts = path.split(/[\\/]+/);
  if (parts.includes("..")) return "leaves the project (`..`)";
  return undefined;
}
