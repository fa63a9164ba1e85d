/**
 * The run's size limits, each with a documented default and a variable to change it (see
 * docs/cache.md and docs/run.md): what the cache stores per file, and what a step's log keeps.
 * @module
 */

/** The default largest output file the cache stores (bytes): 256 MiB. */
export const DEFAULT_MAX_BLOB = 256 * 1024 * 1024;

/** The default cap of one step attempt's log (bytes): 128 MiB. */
export const DEFAULT_MAX_LOG = 128 * 1024 * 1024;

/** The line a capped log ends with. */
export const LOG_TRUNCATED =
  "\n[lily: log truncated here: the step printed more than LILY_MAX_LOG bytes; the rest was discarded]\n";

function bytesFrom(text: string | undefined, fallback: number): number {
  return text && /^\d+$/.test(text) ? Number(text) : fallback;
}

/**
 * The blob limit: `$LILY_CACHE_MAX_BLOB` (bytes) or {@linkcode DEFAULT_MAX_BLOB}.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { maxBlobBytes } from "./limits.ts";
 * assert(maxBlobBytes(() => "1024") === 1024);
 * ```
 */
export function maxBlobBytes(getEnv: (name: string) => string | undefined): number {
  return bytesFrom(getEnv("LILY_CACHE_MAX_BLOB"), DEFAULT_MAX_BLOB);
}

/** The log cap: `$LILY_MAX_LOG` (bytes) or {@linkcode DEFAULT_MAX_LOG}. */
export function maxLogBytes(getEnv: (name: string) => string | undefined): number {
  return bytesFrom(getEnv("LILY_MAX_LOG"), DEFAULT_MAX_LOG);
}
