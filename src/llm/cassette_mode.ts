/**
 * The record mode a run uses: `lily run --cassettes MODE`, or `none` under `CI=true` (a CI
 * run replays committed cassettes and never calls a provider), or no cassette at all.
 * Only reads its arguments (the CLI passes the flag and the environment).
 * @module
 */
import { LilyError } from "../errors.ts";

/** A record mode, with vcr's documented semantics (docs/cassettes.md). */
export type CassetteMode = "once" | "new_episodes" | "none" | "all";

/** The record modes, in the order `--help` lists them. */
export const CASSETTE_MODES: readonly CassetteMode[] = ["once", "new_episodes", "none", "all"];

/** True when `value` names a record mode. */
export function isCassetteMode(value: unknown): value is CassetteMode {
  return typeof value === "string" && (CASSETTE_MODES as readonly string[]).includes(value);
}

/**
 * The mode for `--cassettes VALUE` (undefined when the flag is absent): the flag's mode;
 * without it `none` when the `CI` variable is `true` (as CI services set it), else undefined
 * (llm steps call their provider, no cassette). A value that is not a mode is LILY-E0740.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { cassetteModeOption } from "./cassette_mode.ts";
 * assert(cassetteModeOption("once", undefined) === "once");
 * assert(cassetteModeOption(undefined, "true") === "none");
 * assert(cassetteModeOption(undefined, undefined) === undefined);
 * ```
 */
export function cassetteModeOption(
  flag: string | undefined,
  ci: string | undefined,
): CassetteMode | undefined {
  if (flag === undefined) return ci?.toLowerCase() === "true" ? "none" : undefined;
  if (isCassetteMode(flag)) return flag;
  throw new LilyError("LILY-E0740", `unknown --cassettes mode \`${flag}\``, {
    flag: `--cassettes ${flag}`,
    hint: `use ${CASSETTE_MODES.join(", ")} (docs/cassettes.md)`,
  });
}
