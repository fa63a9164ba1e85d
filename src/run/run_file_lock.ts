/**
 * The run file lock: two runs of one lock would execute the same steps at once and race on
 * their output files, so a run holds `.lily/locks/<spec_hash>.lock` (an OS file lock,
 * released when the process ends however it ends); the second run waits for the first, then
 * finds its steps in the cache (as cargo does). Also creates `.lily/` itself.
 * @module
 */
import { join } from "node:path";

/** Options for {@linkcode acquireRunFileLock}. */
export interface RunFileLockOptions {
  /** Ends the wait (the run was cancelled): resolves to undefined. */
  signal?: AbortSignal;
  /** Called once when the lock is not free soon (another run holds it). */
  onWait?: () => void;
  /** How long to wait before `onWait`, in ms (150). */
  waitNoticeMs?: number;
}

/**
 * Holds the run file lock of `specHash` under `root`. Resolves to the open file (close it to
 * release), or undefined when the run is cancelled while waiting.
 */
export async function acquireRunFileLock(
  root: string,
  specHash: string,
  options: RunFileLockOptions = {},
): Promise<Deno.FsFile | undefined> {
  const dir = join(root, ".lily", "locks");
  await Deno.mkdir(dir, { recursive: true });
  const file = await Deno.open(join(dir, `${specHash.replace(/^sha256:/, "").slice(0, 32)}.lock`), {
    create: true,
    write: true,
  });
  const timer = setTimeout(() => options.onWait?.(), options.waitNoticeMs ?? 150);
  const { signal } = options;
  const cancelled = new Promise<"cancelled">((resolve) => {
    if (signal?.aborted) resolve("cancelled");
    signal?.addEventListener("abort", () => resolve("cancelled"), { once: true });
  });
  const locking = file.lock(true).then(() => "locked" as const, () => "failed" as const);
  const got = await Promise.race([locking, cancelled]);
  clearTimeout(timer);
  if (got === "locked") return file;
  // Cancelled: the lock request may still be granted later; closing the file here releases
  // it as soon as it is (a library caller's process lives on, and must not hold it forever).
  try {
    file.close();
  } catch {
    // already closed
  }
  return undefined;
}

/**
 * Creates `.lily/` with a `.gitignore` of `*`: run records, the cache and locks are local
 * state, never committed (as `target/` under cargo; the file lives inside, so the project's
 * own `.gitignore` needs no line).
 */
export async function ensureLilyDir(root: string): Promise<void> {
  const dir = join(root, ".lily");
  await Deno.mkdir(dir, { recursive: true });
  try {
    await Deno.writeTextFile(
      join(dir, ".gitignore"),
      "# Lily's local state (runs, cache, locks): never committed.\n*\n",
      { createNew: true },
    );
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}
