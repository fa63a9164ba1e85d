/**
 * The project a run command (`runs`, `logs`, `cache`) works on when run from anywhere inside
 * it: the root compose finds (the nearest trusted `.lilyrc`, by compose's own search), else the nearest
 * ancestor holding Lily's records (`.lily/`), else the current directory.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { searchProjectRoot } from "../compose/project.ts";

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The project root for `start` (a directory).
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { projectRootFrom } from "./_project_root.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/.lily`);
 * Deno.mkdirSync(`${root}/flows/deep`, { recursive: true });
 * assertEquals(projectRootFrom(`${root}/flows/deep`), root);
 * Deno.removeSync(root, { recursive: true });
 * ```
 */
export function projectRootFrom(start: string): string {
  const from = resolve(start);
  const search = searchProjectRoot(join(from, "_"));
  if (search.hasRc) return search.root;
  for (let dir = from;;) {
    if (isDir(join(dir, ".lily"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}
