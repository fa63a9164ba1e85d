/**
 * The text of every source loaded in this process, by the name errors give it: for excerpts
 * and for locating positions, without reading a file again (it may have changed since).
 * @module
 */

const texts = new Map<string, string>();

/** Records the text of `file` as it was loaded (BOM removed). */
export function rememberText(file: string, text: string): void {
  texts.set(file, text);
}

/** The text of a file already loaded, if any. */
export function loadedText(file: string): string | undefined {
  return texts.get(file);
}
