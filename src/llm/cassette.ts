/**
 * Cassettes for llm steps, as vcr does: a `typeof fetch` wrapper that records HTTP
 * interactions to a file under `cassettes/` and replays them, with vcr's record modes. It never
 * writes a credential: auth headers are dropped and every form of each secret is masked.
 * It knows nothing of providers or steps (the llm kind runner wraps its fetch with it).
 * @module
 */

/** A record mode, with vcr's documented semantics (docs/cassettes.md). */
export type CassetteMode = "once" | "new_episodes" | "none" | "all";

/** Options for {@linkcode openCassette}. */
export interface CassetteOptions {
  mode: CassetteMode;
  /** The cassette file (absolute). */
  path: string;
  /** Values masked from everything written (every form: raw, base64, URL-encoded, JSON). */
  secrets: readonly string[];
}

/** An open cassette: a fetch that replays or records, and `save` to write what was recorded. */
export interface Cassette {
  fetch: typeof fetch;
  /** Writes the cassette atomically when this session recorded something; else does nothing. */
  save(): Promise<void>;
}

/** The record modes, in the order `--help` lists them. */
export const CASSETTE_MODES: readonly CassetteMode[] = ["once", "new_episodes", "none", "all"];

/**
 * Opens the cassette at `options.path` (absent is fine except as a replay-only source).
 * Placeholder until the recorder lands: passes every request through.
 */
export function openCassette(inner: typeof fetch, _options: CassetteOptions): Promise<Cassette> {
  return Promise.resolve({ fetch: inner, save: () => Promise.resolve() });
}

/**
 * The cassette file of a step: `<project>/cassettes/<workflow>/<step>.yaml`, each name
 * percent-encoded outside `[A-Za-z0-9_@-]` and `.` after the first character, so no name
 * leaves the folder or collides with another.
 */
export function cassettePath(projectRoot: string, workflow: string, stepId: string): string {
  return `${projectRoot.replace(/\/+$/, "")}/cassettes/${segment(workflow)}/${
    segment(stepId)
  }.yaml`;
}

function segment(name: string): string {
  let out = "";
  for (const ch of name) {
    const safe = /^[A-Za-z0-9_@-]$/.test(ch) || (ch === "." && out.length > 0);
    out += safe
      ? ch
      : [...new TextEncoder().encode(ch)].map((b) =>
        `%${b.toString(16).toUpperCase().padStart(2, "0")}`
      ).join("");
  }
  return out || "%00";
}
