/**
 * Source spans for expression errors: offsets inside the expression → file, line, column.
 * Computed lazily (only a shown error needs its position).
 * @module
 */
import { derivedSpan, type Span } from "../errors.ts";
import type { Where } from "./ast.ts";

/**
 * The span of `source[start..end)` for an expression whose first character is at `where`.
 * On the expression's first line the column is `where.col + start`; after a newline (a YAML
 * block scalar) the line advances and the column counts from `where.col` again, because a
 * block's lines share its indentation.
 */
export function spanAt(where: Where, source: string, start: number, end = start + 1): Span {
  return derivedSpan(where as Span, (w) => {
    const before = source.slice(0, start);
    const newlines = before.split("\n").length - 1;
    const lineStart = newlines === 0 ? 0 : before.lastIndexOf("\n") + 1;
    return {
      file: w.file,
      line: w.line + newlines,
      col: w.col + start - lineStart,
      length: Math.max(1, end - start),
    };
  });
}
