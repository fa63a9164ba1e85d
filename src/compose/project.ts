/**
 * Finds a workflow's project root and reads its `.lilyrc` (project defaults and policy).
 * A `.lilyrc` is policy (binaries, roots, network), so it is only taken from a directory the
 * user controls: the search upwards stops at the first directory that someone else could
 * have written a `.lilyrc` into (see {@linkcode untrustedReason}), and a `.lilyrc` found there
 * is ignored with a warning — `/tmp/.lilyrc` never becomes a project's policy.
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import { LilyRc } from "../schema/petal.ts";
import { validate } from "../schema/validate.ts";
import { loadSource, type SourceDoc } from "../source/load.ts";

/** A project: its root directory, its defaults and the `.lilyrc` source, if any. */
export interface Project {
  root: string;
  rc: LilyRc;
  rcSource?: SourceDoc;
  /** `.lilyrc` files that were found but not trusted (warnings for the CLI to print). */
  warnings: LilyError[];
}

/** Where the search for a project root ended. */
export interface RootSearch {
  root: string;
  /** True when `root` holds a trusted `.lilyrc`. */
  hasRc: boolean;
  /** A `.lilyrc` that was found in an untrusted place, and why it was not used. */
  ignored?: { path: string; reason: string };
}

/**
 * Why `path` (a directory, or a `.lilyrc` in one) cannot be trusted as policy, or undefined
 * when it can: it must be owned by the user running Lily (or by root, who could change
 * anything anyway) and not be writable by others (a world-writable directory such as /tmp,
 * sticky bit or not, lets anyone create files in it). Where the OS has no owners (Windows),
 * everything is trusted.
 */
export function untrustedReason(path: string, uid = Deno.uid()): string | undefined {
  if (uid === null) return undefined;
  let stat: Deno.FileInfo;
  try {
    stat = Deno.lstatSync(path);
  } catch {
    return undefined;
  }
  if (stat.isSymlink) return `\`${path}\` is a symbolic link`;
  if (stat.uid !== null && stat.uid !== uid && stat.uid !== 0) {
    return `\`${path}\` is owned by uid ${stat.uid}, not by you (uid ${uid}) or root`;
  }
  if (((stat.mode ?? 0) & 0o002) !== 0) return `\`${path}\` is writable by every user`;
  return undefined;
}

/**
 * The project root of `file`: the nearest ancestor directory holding a trusted `.lilyrc`;
 * else, for a file inside a `flows/` folder, that folder's parent; else the file's own
 * directory. The search never passes a directory that is not trusted (see
 * {@linkcode untrustedReason}); a `.lilyrc` there is reported in `ignored`.
 */
export function searchProjectRoot(file: string): RootSearch {
  const start = dirname(resolve(file));
  const fallback = basename(start) === "flows" ? dirname(start) : start;
  for (let dir = start;;) {
    const rc = `${dir}/.lilyrc`;
    const dirProblem = untrustedReason(dir);
    let exists = false;
    try {
      Deno.lstatSync(rc);
      exists = true;
    } catch {
      // keep walking up
    }
    if (exists) {
      const problem = dirProblem ?? untrustedReason(rc);
      if (!problem) return { root: dir, hasRc: true };
      return { root: fallback, hasRc: false, ignored: { path: rc, reason: problem } };
    }
    if (dirProblem) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { root: fallback, hasRc: false };
}

/**
 * The project root of `file` (see {@linkcode searchProjectRoot}).
 *
 * @example
 * ```ts ignore
 * import { findProjectRoot } from "./project.ts";
 * console.log(findProjectRoot("flows/video.petal"));
 * ```
 */
export function findProjectRoot(file: string): string {
  return searchProjectRoot(file).root;
}

/** Loads the project of `file` (its root and validated `.lilyrc`). */
export async function loadProject(file: string, cwd = Deno.cwd()): Promise<Project> {
  const search = searchProjectRoot(resolve(cwd, file));
  const root = search.root;
  const warnings: LilyError[] = [];
  if (search.ignored) {
    warnings.push(
      new LilyError(
        "LILY-E0320",
        `ignored \`${displayPath(search.ignored.path, cwd)}\`: ${search.ignored.reason}`,
        {
          hint:
            `a .lilyrc sets policy (binaries, roots, network), so Lily only reads one from a directory you own that others cannot write; the project root is \`${
              root === resolve(cwd) ? "." : displayPath(root, cwd)
            }\`: put the .lilyrc there (see docs/security.md)`,
        },
      ),
    );
  }
  const rcPath = `${root}/.lilyrc`;
  let rcSource: SourceDoc | undefined;
  if (search.hasRc) {
    try {
      Deno.statSync(rcPath);
      rcSource = await loadSource(displayPath(rcPath, cwd), { path: rcPath });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const rc = rcSource && rcSource.data !== null && rcSource.data !== undefined
    ? validate(LilyRc, rcSource.data, { what: ".lilyrc", file: rcSource.file })
    : {};
  return { root, rc, rcSource, warnings };
}

/** A path as errors show it: relative to the cwd when inside it, with forward slashes. */
export function displayPath(path: string, cwd = Deno.cwd()): string {
  const abs = resolve(cwd, path);
  const rel = abs.startsWith(cwd + "/") ? abs.slice(cwd.length + 1) : abs;
  return rel.replaceAll("\\", "/");
}
