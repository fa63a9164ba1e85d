/**
 * Project tools: programs named in `resources.binaries` / `allowed_binaries` by a relative
 * path (`./tools/gen.sh`, `tools/gen.sh`), which live in the project and are pinned relative
 * to its root. Pure string rules, shared by the planner and the pins.
 * @module
 */
import { isAbsolute } from "node:path";

/**
 * True when `name` names a project tool: a relative path.
 *
 * @example
 * ```ts
 * import { isProjectTool } from "./project_tool.ts";
 * if (!isProjectTool("./tools/gen.sh") || isProjectTool("curl") || isProjectTool("/bin/sh")) {
 *   throw new Error("isProjectTool");
 * }
 * ```
 */
export function isProjectTool(name: string): boolean {
  return !isAbsolute(name) && /[\\/]/.test(name);
}

/**
 * A project tool's path as the lock keeps it: relative, forward slashes, no `./`.
 *
 * @example
 * ```ts
 * import { projectToolPath } from "./project_tool.ts";
 * if (projectToolPath("./tools//gen.sh") !== "tools/gen.sh") throw new Error("projectToolPath");
 * ```
 */
export function projectToolPath(name: string): string {
  return name.replaceAll("\\", "/").split("/").filter((p) => p !== "" && p !== ".").join("/");
}
