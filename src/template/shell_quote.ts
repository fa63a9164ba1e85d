/**
 * POSIX shell quoting for the `shq` filter: the result, pasted into a `sh`/`bash`/`dash`/`zsh`
 * (or dax) command line, is exactly one word equal to the input.
 * @module
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `text` for a POSIX shell (safe words are left as they are).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { shellQuote } from "./shell_quote.ts";
 * assert(shellQuote("it's") === `'it'\\''s'`);
 * assert(shellQuote("a.txt") === "a.txt");
 * ```
 */
export function shellQuote(text: string): string {
  if (text === "") return "''";
  if (SAFE.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
