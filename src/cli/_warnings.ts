/**
 * Prints warnings (LilyErrors that do not stop the command) to stderr, rendered like errors
 * with a `warning[…]` head, so they are positioned and carry a hint.
 * @module
 */
import { type LilyError, renderError } from "../errors.ts";

/** Prints each warning to stderr (nothing when there are none). */
export async function printWarnings(warnings: readonly LilyError[]): Promise<void> {
  if (warnings.length === 0) return;
  const { loadedText } = await import("../source/load.ts");
  await (await import("../source/locate.ts")).ensureLocator();
  const color = Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR");
  const readSource = (file: string) => {
    const text = loadedText(file);
    if (text !== undefined) return text;
    try {
      return Deno.readTextFileSync(file);
    } catch {
      return undefined;
    }
  };
  const seen = new Set<string>();
  for (const warning of warnings) {
    // The head comes first, so the first `error[` is the head's (colored or not).
    const text = renderError(warning, { readSource, color }).replace("error[", "warning[");
    if (seen.has(text)) continue;
    seen.add(text);
    console.error(text + "\n");
  }
}
