/**
 * Format versions, in a module of their own: the run path reads them without loading zod
 * (≈ 5 MB of memory and 10 ms at start-up).
 * @module
 */

/** Version of the event format. */
export const EVENTS_VERSION = 1;
