/**
 * Commands that accept a lock or a workflow: a `.petal`/`.yaml` that is not a lock is
 * composed in memory first.
 * @module
 */
import type { LockFile } from "../schema/lock.ts";

/** True when the path names a lock file (by its name, then by its content). */
export async function isLockPath(path: string): Promise<boolean> {
  if (/\.lock\.ya?ml$/.test(path)) return true;
  if (/\.petal$/.test(path)) return false;
  try {
    const head = (await Deno.readTextFile(path)).slice(0, 400);
    return /^schema_version:/m.test(head);
  } catch {
    return false;
  }
}

/** Loads a lock, or composes a workflow into one (in memory). */
export async function lockFrom(
  path: string,
  options: { profile?: string; params?: Record<string, string> } = {},
): Promise<{ lock: LockFile; lockPath: string | undefined }> {
  if (await isLockPath(path)) {
    const { readLockFile } = await import("../lock/read.ts");
    return { lock: await readLockFile(path), lockPath: path };
  }
  const { composeSources } = await import("../compose/mod.ts");
  const [point] = await composeSources([path], options);
  await (await import("./_warnings.ts")).printWarnings(point.warnings);
  return { lock: point.lock, lockPath: undefined };
}
