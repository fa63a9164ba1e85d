/**
 * A run named by its id, a prefix of it, or `latest`: a prefix that matches several runs is an
 * error listing them, never silently the newest.
 * @module
 */
import { LilyError } from "../errors.ts";

/**
 * The run `id` names among `ids` (newest first), or undefined when none; throws LILY-E0052
 * when a prefix matches several. `command` names the flag in the error (`lily logs`).
 */
export function pickRun(
  ids: string[],
  id: string | undefined,
  command: string,
): string | undefined {
  if (!id || id === "latest") return ids[0];
  if (ids.includes(id)) return id;
  const matches = ids.filter((r) => r.startsWith(id));
  if (matches.length > 1) {
    const shown = matches.slice(0, 10).map((r) => `\`${r}\``).join(", ");
    throw new LilyError(
      "LILY-E0052",
      `\`${id}\` matches ${matches.length} runs: ${shown}${matches.length > 10 ? ", …" : ""}`,
      {
        flag: `${command} ${id}`,
        hint: "give more of the run id (or `latest`); list runs with `lily runs`",
      },
    );
  }
  return matches[0];
}
