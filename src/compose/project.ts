/**
 * Finds a workflow's project root and reads its `.lilyrc` (project defaults).
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { LilyRc } from "../schema/petal.ts";
import { validate } from "../schema/validate.ts";
import { loadSource, type SourceDoc } from "../source/load.ts";

/** A project: its root directory, its defaults and the `.lilyrc` source, if any. */
export interface Project {
  root: string;
  rc: LilyRc;
  rcSource?: SourceDoc;
}

/**
 * The project root of `file`: the nearest ancestor directory holding `.lilyrc`; else, for a
 * file inside a `flows/` folder, that folder's parent; else the file's own directory.
 */
export function findProjectRoot(file: string): string {
  const start = dirname(resolve(file));
  for (let dir = start;;) {
    try {
      Deno.statSync(`${dir}/.lilyrc`);
      return dir;
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return basename(start) === "flows" ? dirname(start) : start;
}

/** Loads the project of `file` (its root and validated `.lilyrc`). */
export async function loadProject(file: string, cwd = Deno.cwd()): Promise<Project> {
  const root = findProjectRoot(resolve(cwd, file));
  const rcPath = `${root}/.lilyrc`;
  let rcSource: SourceDoc | undefined;
  try {
    Deno.statSync(rcPath);
    rcSource = await loadSource(displayPath(rcPath, cwd), { path: rcPath });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const rc = rcSource && rcSource.data !== null && rcSource.data !== undefined
    ? validate(LilyRc, rcSource.data, { what: ".lilyrc", file: rcSource.file })
    : {};
  return { root, rc, rcSource };
}

/** A path as errors show it: relative to the cwd when inside it, with forward slashes. */
export function displayPath(path: string, cwd = Deno.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = abs.startsWith(cwd + "/") ? abs.slice(cwd.length + 1) : abs;
  return rel.replaceAll("\\", "/");
}
