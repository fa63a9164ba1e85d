/**
 * Files inside the project, reached without following symbolic links. Output files are read,
 * hashed and copied by Lily's own process, and cache hits are written back by it: a link
 * planted by a step (to `.lily/`, to `$HOME`, a directory swapped for a link to
 * `../OUTSIDE`) must never make Lily read or write through it. Every directory on the way is
 * checked with `lstat`, the file itself is opened and its `fstat` compared with the `lstat`
 * seen before (device and inode): a swap between the two is detected, not followed.
 * @module
 */
import { join } from "node:path";
import { leavesRoot } from "../util/paths.ts";

/**
 * Whether a project-relative path is unfit to name a file Lily reads or writes: empty,
 * absolute, with `.`/`..`/empty components, or inside Lily's own `.lily/`.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { unsafeRelative } from "./safe_path.ts";
 * assert(unsafeRelative("../x") && unsafeRelative(".lily/cache/key"));
 * assert(!unsafeRelative("out/report.txt"));
 * ```
 */
export function unsafeRelative(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\\") || /^[A-Za-z]:/.test(path)) {
    return true;
  }
  const parts = path.split("/");
  if (parts.some((p) => p === "" || p === "." || p === "..")) return true;
  return parts[0] === ".lily" || leavesRoot(path);
}

/**
 * Checks that every directory of `rel` below `root` is a real directory (not a link); with
 * `make`, missing ones are created one at a time. Returns a problem, or undefined.
 */
export async function checkParents(
  root: string,
  rel: string,
  make = false,
): Promise<string | undefined> {
  let dir = root;
  const parts = rel.split("/");
  for (let i = 0; i < parts.length - 1; i++) {
    dir = join(dir, parts[i]);
    const shown = parts.slice(0, i + 1).join("/");
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(dir);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || !make) return `\`${shown}\` does not exist`;
      try {
        await Deno.mkdir(dir);
      } catch (made) {
        if (!(made instanceof Deno.errors.AlreadyExists)) throw made;
      }
      info = await Deno.lstat(dir);
    }
    if (info.isSymlink) return `\`${shown}\` is a symbolic link (not followed)`;
    if (!info.isDirectory) return `\`${shown}\` is not a directory`;
  }
  return undefined;
}

/** The result of {@linkcode openRegular}. */
export type Opened =
  | { file: Deno.FsFile; info: Deno.FileInfo }
  | { error: string; missing?: boolean };

/**
 * Opens `root/rel` for reading when it is a regular file reached without links. A FIFO, a
 * device or a socket is refused before it is opened (opening a FIFO would block).
 */
export async function openRegular(root: string, rel: string): Promise<Opened> {
  const parents = await checkParents(root, rel);
  if (parents) return { error: parents, missing: parents.endsWith("does not exist") };
  const path = join(root, rel);
  let before: Deno.FileInfo;
  try {
    before = await Deno.lstat(path);
  } catch {
    return { error: "does not exist", missing: true };
  }
  if (before.isSymlink) return { error: "is a symbolic link (outputs must be regular files)" };
  if (!before.isFile) {
    return { error: "is not a regular file (a FIFO, device or socket is never read)" };
  }
  const file = await Deno.open(path, { read: true });
  const info = await file.stat();
  if (!info.isFile || info.dev !== before.dev || info.ino !== before.ino) {
    file.close();
    return { error: "was replaced while it was being read" };
  }
  return { file, info };
}

/**
 * Copies `blob` to `root/rel` without following a symbolic link anywhere below the project
 * root: each directory on the way must be a real directory (missing ones are made), the bytes
 * go to a new file (O_EXCL: never through a link) and a rename puts it in place (a link at the
 * target is replaced, not followed). Returns a problem, or undefined.
 */
export async function restoreInside(
  root: string,
  rel: string,
  blob: string,
): Promise<string | undefined> {
  if (unsafeRelative(rel)) return `\`${rel}\` is not a path inside the project`;
  const parents = await checkParents(root, rel, true);
  if (parents) return `${parents}: not restored through it`;
  const target = join(root, rel);
  try {
    if ((await Deno.lstat(target)).isDirectory) return `\`${rel}\` is a directory`;
  } catch {
    // absent: restored below
  }
  if (!(await Deno.lstat(blob)).isFile) return "its blob is not a regular file";
  const temp = `${target}.lily-${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const source = await Deno.open(blob);
    using out = await Deno.open(temp, { write: true, createNew: true });
    for await (const chunk of source.readable) {
      let written = 0;
      while (written < chunk.length) written += await out.write(chunk.subarray(written));
    }
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await Deno.rename(temp, target);
  return undefined;
}
