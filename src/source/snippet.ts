/**
 * One source line made fit to print under an error: a window around the caret when the line is
 * long (as rustc does, with `…` where text is cut), tabs expanded, and characters that would
 * move or hide the caret made visible. Pure text in, text out.
 * @module
 */

/** A source line as printed, and where its caret goes (in terminal columns). */
export interface SnippetLine {
  /** The text to print after the gutter. */
  text: string;
  /** Columns before the caret. */
  caretColumn: number;
  /** Columns the underline covers (at least 1). */
  caretWidth: number;
}

/** Widest source text shown on one line, in terminal columns. */
export const SNIPPET_WIDTH = 100;
/** Columns of context kept left of the caret when the line is cut. */
const LEFT_CONTEXT = 40;
/** Columns a tab takes. */
const TAB_WIDTH = 4;

interface Cell {
  /** Offset of the character in the line, in UTF-16 code units (how columns are counted). */
  unit: number;
  shown: string;
  width: number;
}

/**
 * Fits `line` for an excerpt whose caret starts at 1-based `col` (UTF-16 code units, as spans
 * count) and covers `length` code units.
 *
 * @example
 * ```ts
 * import { snippetLine } from "./snippet.ts";
 * const long = "x".repeat(5000) + "needle" + "y".repeat(5000);
 * const s = snippetLine(long, 5001, 6);
 * if (s.text.length > 110 || s.text.slice(s.caretColumn, s.caretColumn + 6) !== "needle") {
 *   throw new Error("the window does not hold the caret");
 * }
 * ```
 */
export function snippetLine(
  line: string,
  col: number,
  length = 1,
  options: { width?: number } = {},
): SnippetLine {
  const maxWidth = Math.max(20, options.width ?? SNIPPET_WIDTH);
  const cells = cellsOf(line);
  const start = Math.min(Math.max(0, col - 1), line.length);
  const end = start + Math.max(1, length);
  let first = cells.findIndex((c) => c.unit >= start);
  if (first < 0) first = cells.length;
  let last = cells.findIndex((c) => c.unit >= end);
  if (last < 0) last = cells.length;
  // prefix[i] = columns taken by cells[0..i).
  const prefix = [0];
  for (const cell of cells) prefix.push(prefix[prefix.length - 1] + cell.width);
  const total = prefix[cells.length];
  let from = 0;
  let to = cells.length;
  if (total > maxWidth) {
    const budget = maxWidth - 2; // room for a `…` on each side
    from = first;
    while (from > 0 && prefix[first] - prefix[from - 1] <= LEFT_CONTEXT) from--;
    to = from;
    while (to < cells.length && prefix[to + 1] - prefix[from] <= budget) to++;
    // Near the end of the line: use the room left by widening to the left.
    while (from > 0 && prefix[to] - prefix[from - 1] <= budget) from--;
  }
  const cutLeft = from > 0;
  const cutRight = to < cells.length;
  const text = (cutLeft ? "…" : "") + cells.slice(from, to).map((c) => c.shown).join("") +
    (cutRight ? "…" : "");
  const caretColumn = (cutLeft ? 1 : 0) + prefix[Math.min(first, to)] - prefix[from];
  const caretWidth = Math.max(1, prefix[Math.min(last, to)] - prefix[Math.min(first, to)]);
  return { text, caretColumn, caretWidth };
}

/**
 * Terminal columns `text` takes when printed as {@linkcode snippetLine} prints it.
 *
 * @example
 * ```ts
 * import { displayWidth } from "./snippet.ts";
 * if (displayWidth("a\t名") !== 1 + 4 + 2) throw new Error("width");
 * ```
 */
export function displayWidth(text: string): number {
  return cellsOf(text).reduce((sum, cell) => sum + cell.width, 0);
}

function cellsOf(line: string): Cell[] {
  const cells: Cell[] = [];
  let unit = 0;
  for (const ch of line) {
    cells.push({ unit, ...shownAs(ch) });
    unit += ch.length;
  }
  return cells;
}

/**
 * How one character prints. Control characters (an escape sequence in a hostile file would
 * drive the terminal), bidirectional overrides (they reorder what is shown) and invisible
 * characters become `�`, so what is printed is what is there, and the caret stays aligned.
 */
function shownAs(ch: string): { shown: string; width: number } {
  if (ch === "\t") return { shown: " ".repeat(TAB_WIDTH), width: TAB_WIDTH };
  const code = ch.codePointAt(0)!;
  if (
    code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff || code === 0x2028 || code === 0x2029
  ) {
    return { shown: "\uFFFD", width: 1 };
  }
  if (/\p{M}/u.test(ch)) return { shown: ch, width: 0 };
  return { shown: ch, width: isWide(code) ? 2 : 1 };
}

/** East Asian wide and full-width characters, and emoji: two terminal columns. */
function isWide(code: number): boolean {
  return (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) || (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) || (code >= 0x20000 && code <= 0x3fffd);
}
