/**
 * Prints warnings (LilyErrors that do not stop the command) to stderr, rendered like errors
 * with a `warning[…]` head, so they are positioned and carry a hint.
 * @module
 */
import type { LilyError } from "../errors.ts";
import { stderrRenderer } from "./_render.ts";

/** Prints each warning to stderr (nothing when there are none). */
export async function printWarnings(warnings: readonly LilyError[]): Promise<void> {
  if (warnings.length === 0) return;
  const render = await stderrRenderer();
  const seen = new Set<string>();
  for (const warning of warnings) {
    // The head comes first, so the first `error[` is the head's (colored or not).
    const text = render(warning).replace("error[", "warning[");
    if (seen.has(text)) continue;
    seen.add(text);
    console.error(text + "\n");
  }
}
