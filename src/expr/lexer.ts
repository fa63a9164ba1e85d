/**
 * Tokens of the `if:` language. Positions are 0-based offsets into the source.
 * @module
 */
import { derivedSpan, LilyError, type Span } from "../errors.ts";

/** A token. */
export type Token =
  | { kind: "str"; value: string; start: number; end: number }
  | { kind: "num"; value: number; start: number; end: number }
  | { kind: "ident"; value: string; start: number; end: number }
  | { kind: "punct"; value: string; start: number; end: number }
  | { kind: "eof"; value: ""; start: number; end: number };

/** Longest expression accepted, in characters. */
export const MAX_LENGTH = 4096;

const PUNCT = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ",", "."];

/** Builds the span of source offsets `start..end` for an expression at `where`. */
export function spanAt(where: Span, start: number, end = start + 1): Span {
  return derivedSpan(where, (w) => ({
    file: w.file,
    line: w.line,
    col: w.col + start,
    length: Math.max(1, end - start),
  }));
}

/**
 * Splits an expression into tokens.
 *
 * @example
 * ```ts
 * import { tokenize } from "./lexer.ts";
 * const kinds = tokenize("params.n >= 2", { file: "x", line: 1, col: 1 }).map((t) => t.kind);
 * console.assert(kinds.join() === "ident,punct,ident,punct,num,eof");
 * ```
 */
export function tokenize(source: string, where: Span): Token[] {
  if (source.length > MAX_LENGTH) {
    throw new LilyError("LILY-E0501", `expression is longer than ${MAX_LENGTH} characters`, {
      span: spanAt(where, 0),
      hint: "split the logic: compute a value in an earlier step and test its output",
    });
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === '"' || ch === "'") {
      const [value, end] = readString(source, i, where);
      tokens.push({ kind: "str", value, start, end });
      i = end;
      continue;
    }
    if (
      /[0-9]/.test(ch) || (ch === "-" && /[0-9]/.test(source[i + 1] ?? "") && !endsOperand(tokens))
    ) {
      const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i));
      if (!m || /[A-Za-z_]/.test(source[i + m[0].length] ?? "")) {
        throw new LilyError("LILY-E0502", "malformed number", {
          span: spanAt(where, i, i + (m?.[0].length ?? 1) + 1),
          hint: "numbers are written like 3, -1 or 2.5",
        });
      }
      tokens.push({ kind: "num", value: Number(m[0]), start, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      // `-` may occur inside a name (step ids): there is no arithmetic to confuse it with.
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      let name = m[0];
      while (name.endsWith("-")) name = name.slice(0, -1);
      tokens.push({ kind: "ident", value: name, start, end: i + name.length });
      i += name.length;
      continue;
    }
    const punct = PUNCT.find((p) => source.startsWith(p, i));
    if (!punct) {
      const hint = ch === "="
        ? "compare with `==`"
        : ch === "&" || ch === "|"
        ? "use `&&` and `||`"
        : undefined;
      throw new LilyError("LILY-E0503", `unexpected character \`${ch}\``, {
        span: spanAt(where, i),
        hint: hint ??
          "expressions use literals, names like `params.x`, `&& || ! == != < <= > >= in` and parentheses",
      });
    }
    if (punct === "==" && source[i + 2] === "=") {
      throw new LilyError("LILY-E0503", "`===` is not an operator", {
        span: spanAt(where, i, i + 3),
        hint: "`==` already compares strictly (values of different types are never equal)",
      });
    }
    tokens.push({ kind: "punct", value: punct, start, end: i + punct.length });
    i += punct.length;
  }
  tokens.push({ kind: "eof", value: "", start: source.length, end: source.length });
  return tokens;
}

function endsOperand(tokens: Token[]): boolean {
  const last = tokens[tokens.length - 1];
  if (!last) return false;
  return last.kind === "num" || last.kind === "str" || last.kind === "ident" ||
    (last.kind === "punct" && (last.value === ")" || last.value === "]"));
}

function readString(source: string, start: number, where: Span): [string, number] {
  const quote = source[start];
  let out = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === quote) return [out, i + 1];
    if (ch === "\\") {
      const next = source[i + 1];
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        "\\": "\\",
        '"': '"',
        "'": "'",
        "0": "\0",
      };
      if (next !== undefined && next in simple) {
        out += simple[next];
        i += 2;
        continue;
      }
      if (next === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      throw new LilyError("LILY-E0504", `unknown escape \`\\${next ?? ""}\` in a string`, {
        span: spanAt(where, i, i + 2),
        hint: "escapes are \\n \\t \\r \\\\ \\\" \\' \\0 and \\uXXXX",
      });
    }
    out += ch;
    i++;
  }
  throw new LilyError("LILY-E0505", "string is not closed", {
    span: spanAt(where, start),
    hint: `close it with ${quote}`,
  });
}
