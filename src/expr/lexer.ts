/**
 * Tokens of the `if:` language. Positions are 0-based UTF-16 offsets into the source. The
 * lexer refuses over-long input and over-deep brackets early, so no later pass sees them.
 * @module
 */
import { LilyError } from "../errors.ts";
import { MAX_DEPTH, MAX_LENGTH, type Where } from "./ast.ts";
import { spanAt } from "./_span.ts";

/**
 * A token: a string or number literal (value decoded), a word (names, `true`, `in`, function
 * names), punctuation, or the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Token } from "./lexer.ts";
 * const t: Token = { kind: "num", value: 2, start: 0, end: 1 };
 * assert.ok(t.kind === "num");
 * ```
 */
export type Token =
  | { kind: "str"; value: string; start: number; end: number }
  | { kind: "num"; value: number; start: number; end: number }
  | { kind: "ident"; value: string; start: number; end: number }
  | { kind: "punct"; value: Punct; start: number; end: number }
  | { kind: "eof"; value: ""; start: number; end: number };

/**
 * Punctuation and operator tokens.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Punct } from "./lexer.ts";
 * const p: Punct = "&&";
 * assert.ok(p.length === 2);
 * ```
 */
export type Punct =
  | "&&"
  | "||"
  | "=="
  | "!="
  | "<="
  | ">="
  | "<"
  | ">"
  | "!"
  | "("
  | ")"
  | "["
  | "]"
  | ","
  | ".";

// Longest first, so `<=` wins over `<`.
const PUNCT: readonly Punct[] = [
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "<",
  ">",
  "!",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
];

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "'": "'",
  "0": "\0",
};

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y;

/**
 * Splits an expression into tokens, ending with an `eof` token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenize } from "./lexer.ts";
 * const kinds = tokenize("params.n >= -2", { file: "x", line: 1, col: 1 }).map((t) => t.kind);
 * assert.ok(kinds.join() === "ident,punct,ident,punct,num,eof");
 * ```
 */
export function tokenize(source: string, where: Where): Token[] {
  const tokens: Token[] = [];
  // Nesting as the parser will count it: open brackets plus `!`s whose operand has not ended,
  // per bracket level, so 10,000 `(` or `!` fail here at level 65 rather than at the length.
  // A call's `()` is not a level (status functions take no arguments).
  const levels: { bangs: number; isCall: boolean }[] = [{ bangs: 0, isCall: false }];
  let depth = 0;
  const endOperand = () => {
    const top = levels[levels.length - 1];
    depth -= top.bangs;
    top.bangs = 0;
  };
  let i = 0;
  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (code === 32 || code === 9 || code === 10 || code === 13) {
      i++;
      continue;
    }
    // Checked as we go, so an over-deep prefix reports the nesting, not the length.
    if (i >= MAX_LENGTH) throw tooLong(source, where);
    const ch = source[i];
    const start = i;
    if (ch === '"' || ch === "'") {
      const [value, end] = readString(source, i, where);
      tokens.push({ kind: "str", value, start, end });
      endOperand();
      i = end;
    } else if (isDigit(code) || (ch === "-" && isDigit(source.charCodeAt(i + 1)))) {
      i = readNumber(source, i, where, tokens);
      endOperand();
    } else if (isWordStart(code)) {
      WORD.lastIndex = i;
      // A word may contain `-` (step ids like `build-app`): there is no arithmetic to
      // confuse it with. A trailing `-` is not part of it.
      let word = WORD.exec(source)![0];
      while (word.endsWith("-")) word = word.slice(0, -1);
      tokens.push({ kind: "ident", value: word, start, end: i + word.length });
      if (word !== "in") endOperand();
      i += word.length;
    } else {
      const punct = PUNCT.find((p) => source.startsWith(p, i));
      if (punct === undefined || (punct === "==" || punct === "!=") && source[i + 2] === "=") {
        throw unexpectedCharacter(source, i, where);
      }
      const previous = tokens[tokens.length - 1];
      if (punct === "(" && previous?.kind === "ident" && previous.value !== "in") {
        levels.push({ bangs: 0, isCall: true });
      } else if (punct === "(" || punct === "[" || punct === "!") {
        if (++depth > MAX_DEPTH) throw tooDeep(source, i, where);
        if (punct === "!") levels[levels.length - 1].bangs++;
        else levels.push({ bangs: 0, isCall: false });
      } else if ((punct === ")" || punct === "]") && levels.length > 1) {
        const closed = levels.pop()!;
        depth -= closed.bangs + (closed.isCall ? 0 : 1);
        endOperand();
      }
      tokens.push({ kind: "punct", value: punct, start, end: i + punct.length });
      i += punct.length;
    }
  }
  if (source.length > MAX_LENGTH) throw tooLong(source, where);
  tokens.push({ kind: "eof", value: "", start: source.length, end: source.length });
  return tokens;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || isDigit(code);
}

function readNumber(source: string, start: number, where: Where, tokens: Token[]): number {
  const previous = tokens[tokens.length - 1];
  if (source[start] === "-" && previous && endsOperand(previous)) {
    throw new LilyError("LILY-E0503", "unexpected `-`: there is no arithmetic", {
      span: spanAt(where, source, start),
      hint: "compute the value in an earlier step and test its output",
    });
  }
  NUMBER.lastIndex = start;
  const match = NUMBER.exec(source)!;
  const text = match[0];
  const end = start + text.length;
  const after = source.charCodeAt(end);
  if (isWordPart(after) || source[end] === ".") {
    let stop = end + 1;
    while (stop < source.length && (isWordPart(source.charCodeAt(stop)) || source[stop] === ".")) {
      stop++;
    }
    throw new LilyError("LILY-E0502", `malformed number \`${source.slice(start, stop)}\``, {
      span: spanAt(where, source, start, stop),
      hint: "numbers are written like 3, -1, 2.5 or 1e6; strings need quotes",
    });
  }
  let value = Number(text);
  const isInteger = match[1] === undefined && match[2] === undefined;
  if (!Number.isFinite(value) || (isInteger && !Number.isSafeInteger(value))) {
    throw new LilyError("LILY-E0502", `number \`${text}\` is out of range`, {
      span: spanAt(where, source, start, end),
      hint: isInteger
        ? "integers must lie within ±9007199254740991"
        : "numbers must be finite doubles",
    });
  }
  if (Object.is(value, -0)) value = 0;
  tokens.push({ kind: "num", value, start, end });
  return end;
}

function endsOperand(token: Token): boolean {
  return token.kind === "num" || token.kind === "str" || token.kind === "ident" ||
    (token.kind === "punct" && (token.value === ")" || token.value === "]"));
}

function readString(source: string, start: number, where: Where): [string, number] {
  const quote = source[start];
  let out = "";
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === quote) return [out, i + 1];
    if (ch === "\\") {
      const next = source[i + 1];
      if (next !== undefined && Object.hasOwn(ESCAPES, next)) {
        out += ESCAPES[next];
        i += 2;
        continue;
      }
      if (next === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      const shown = next === undefined ? "\\" : `\\${printable(next)}`;
      throw new LilyError("LILY-E0504", `unknown escape \`${shown}\` in a string`, {
        span: spanAt(where, source, i, next === undefined ? i + 1 : i + 2),
        hint: "escapes are \\n \\t \\r \\0 \\\\ \\\" \\' and \\uXXXX (four hex digits)",
      });
    }
    out += ch;
    i++;
  }
  throw new LilyError("LILY-E0505", "string is not closed", {
    span: spanAt(where, source, start),
    label: "this string has no closing quote",
    hint: `close it with ${quote}`,
  });
}

function unexpectedCharacter(source: string, i: number, where: Where): LilyError {
  const rest = source.slice(i, i + 3);
  if (rest === "===" || rest === "!==") {
    return new LilyError("LILY-E0503", `\`${rest}\` is not an operator`, {
      span: spanAt(where, source, i, i + 3),
      hint: `write \`${rest.slice(0, 2)}\`: it already compares strictly ` +
        "(values of different types are never equal)",
    });
  }
  const point = source.codePointAt(i)!;
  const ch = String.fromCodePoint(point);
  const hints: Record<string, string> = {
    "=": "compare with `==`",
    "&": "use `&&`",
    "|": "use `||`",
    "-": "there is no arithmetic; negative numbers are written `-1`",
    "+": "there is no arithmetic",
    "{": "there are no maps; names are written `params.x`",
    "$": "write names bare (`params.x`), not `${{ … }}`",
  };
  return new LilyError("LILY-E0503", `unexpected character \`${printable(ch)}\``, {
    span: spanAt(where, source, i, i + ch.length),
    hint: (Object.hasOwn(hints, ch) ? hints[ch] : undefined) ??
      "expressions use literals, names like `params.x`, `&& || ! == != < <= > >= in`, " +
        "status functions and parentheses",
  });
}

/** A character as it can be shown in a message (control and invisible ones as U+XXXX). */
function printable(ch: string): string {
  const point = ch.codePointAt(0)!;
  if (point < 0x20 || point === 0x7f || (point >= 0x80 && point < 0xa0) || /\s/.test(ch)) {
    return `U+${point.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  if (point >= 0xd800 && point <= 0xdfff) {
    return `U+${point.toString(16).toUpperCase()}`;
  }
  return ch;
}

function tooLong(source: string, where: Where): LilyError {
  return new LilyError(
    "LILY-E0501",
    `expression is longer than ${MAX_LENGTH} characters (${source.length})`,
    {
      span: spanAt(where, source, 0),
      hint: "split the logic: compute a value in an earlier step and test its output",
    },
  );
}

function tooDeep(source: string, i: number, where: Where): LilyError {
  return new LilyError(
    "LILY-E0513",
    `expression nests too deeply (more than ${MAX_DEPTH} levels)`,
    {
      span: spanAt(where, source, i),
      label: `level ${MAX_DEPTH + 1}`,
      hint: "simplify the expression",
    },
  );
}
