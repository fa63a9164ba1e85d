/**
 * Lily: compose → lock → sync → run, for workflows written in Petal.
 *
 * This module is the library API and, when run as the main module, the `lily` CLI. Its
 * functions import their stage on first use, so loading it (and `lily --help`) stays fast.
 *
 * @example
 * ```ts ignore
 * import { compose } from "@lily/cli";
 * const [point] = await compose(["examples/hello/hello.petal"]);
 * console.log(point.lock.spec_hash);
 * ```
 * @module
 */
export type {
  ComposedPoint,
  ComposeOptions,
  LockFile,
  LockStep,
  Manifest,
  Petal,
  RunEvent,
  RunOptions,
  RunResult,
  Step,
} from "./src/public_types.ts";
export { LilyError } from "./src/errors.ts";
import type {
  ComposedPoint,
  ComposeOptions,
  LockFile,
  RunOptions,
  RunResult,
} from "./src/public_types.ts";

/** Composes sources into one lock per sweep point (see docs/composition.md). */
export async function compose(
  sources: string[],
  options: ComposeOptions = {},
): Promise<ComposedPoint[]> {
  const { composeSources } = await import("./src/pipeline.ts");
  return await composeSources(sources, options);
}

/** Reads and validates a lock file. */
export async function readLock(path: string): Promise<LockFile> {
  const { readLockFile } = await import("./src/lock/read.ts");
  return await readLockFile(path);
}

/** Runs a lock file (see docs/run.md); returns the run's manifest and status. */
export async function run(lockPath: string, options: RunOptions = {}): Promise<RunResult> {
  const { readLockFile } = await import("./src/lock/read.ts");
  const { runLock } = await import("./src/run/engine.ts");
  const { dirname, resolve } = await import("node:path");
  const lock = await readLockFile(lockPath);
  const projectRoot = options.projectRoot ??
    resolve(dirname(resolve(lockPath)), lock.provenance.project_root);
  return await runLock(lock, { ...options, projectRoot, lockPath });
}

if (import.meta.main) {
  if (Deno.args[0] === "__host" && Deno.build.standalone) {
    // A compiled Lily starts its sandbox hosts as itself (src/sandbox/pool.ts).
    await import("./src/sandbox/host_main.ts");
  } else {
    const { cli } = await import("./src/cli/main.ts");
    Deno.exit(await cli(Deno.args));
  }
}
