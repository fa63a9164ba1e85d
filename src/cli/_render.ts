/**
 * Renders user errors (and warnings) for the terminal: source excerpts come from the files
 * already loaded, else from disk; color only on a terminal without NO_COLOR.
 * @module
 */
import { type LilyError, renderError } from "../errors.ts";

/** A renderer for stderr, once the source locator is loaded (positions need it). */
export async function stderrRenderer(): Promise<(error: LilyError) => string> {
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
  return (error) => renderError(error, { readSource, color });
}
