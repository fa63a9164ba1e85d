/**
 * Recursive-descent parser: tokens → AST plus a side table of source positions. Syntax only;
 * names and types are checked in check.ts. Nesting is capped, so no input can exhaust the stack.
 * @module
 */
import { didYouMean, LilyError, listNames } from "../errors.ts";
import { type Ast, MAX_DEPTH, STATUS_FUNCTIONS, type StatusFunction, type Where } from "./ast.ts";
import { type Punct, type Token, tokenize } from "./lexer.ts";
import { spanAt } from "./_span.ts";
import { joinDottedIds } from "./dotted_ids.ts";

/**
 * Where a node came from: offsets `start..end` in the source; for a name, also the offset of
 * each dotted part (so an error can point at the part that is wrong).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Range } from "./parser.ts";
 * const r: Range = { start: 0, end: 8, parts: [0, 7] }; // params.n
 * assert.ok(r.parts?.[1] === 7);
 * ```
 */
export interface Range {
  start: number;
  end: number;
  parts?: number[];
}

/**
 * A parsed expression: its AST, each node's range and the status functions it calls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExpr } from "./parser.ts";
 * const parsed: import("./parser.ts").Parsed = parseExpr("always()", { file: "f", line: 1, col: 1 });
 * assert.ok(parsed.calls.has("always"));
 * ```
 */
export interface Parsed {
  source: string;
  ast: Ast;
  ranges: Map<Ast, Range>;
  calls: Set<StatusFunction>;
}

interface State {
  source: string;
  where: Where;
  tokens: Token[];
  pos: number;
  ranges: Map<Ast, Range>;
  calls: Set<StatusFunction>;
}

const RELATIONS: readonly Punct[] = ["<", "<=", ">", ">="];

/**
 * Parses an expression (syntax only: any dotted name is accepted here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExpr } from "./parser.ts";
 * const { ast } = parseExpr("!(a.b || c.d)", { file: "f", line: 1, col: 1 });
 * assert.ok(JSON.stringify(ast) === '{"op":"!","a":{"op":"||","l":{"ref":["a","b"]},"r":{"ref":["c","d"]}}}');
 * ```
 */
export function parseExpr(source: string, where: Where): Parsed {
  const state: State = {
    source,
    where,
    tokens: tokenize(source, where),
    pos: 0,
    ranges: new Map(),
    calls: new Set(),
  };
  if (peek(state).kind === "eof") {
    throw syntaxError(state, "the condition is empty", 0, Math.max(1, source.length), {
      hint: "write a condition such as `params.deploy == true`, or remove `if:`",
    });
  }
  const ast = parseOr(state, 0);
  const rest = peek(state);
  if (rest.kind !== "eof") throw trailing(state, rest);
  return { source, ast, ranges: state.ranges, calls: state.calls };
}

function peek(state: State): Token {
  return state.tokens[state.pos];
}

function next(state: State): Token {
  const token = state.tokens[state.pos];
  if (token.kind !== "eof") state.pos++;
  return token;
}

function isPunct(token: Token, value: Punct): boolean {
  return token.kind === "punct" && token.value === value;
}

function node<T extends Ast>(state: State, ast: T, start: number, end: number): T {
  state.ranges.set(ast, { start, end });
  return ast;
}

function rangeOf(state: State, ast: Ast): Range {
  return state.ranges.get(ast)!;
}

function syntaxError(
  state: State,
  message: string,
  start: number,
  end: number,
  extra: { hint?: string; label?: string; openedAt?: number } = {},
): LilyError {
  const notes = extra.openedAt === undefined ? [] : [{
    span: spanAt(state.where, state.source, extra.openedAt),
    message: `\`${state.source[extra.openedAt]}\` opened here`,
  }];
  return new LilyError("LILY-E0506", message, {
    span: spanAt(state.where, state.source, start, end),
    label: extra.label,
    hint: extra.hint,
    notes,
  });
}

function describeToken(token: Token): string {
  if (token.kind === "eof") return "the end of the expression";
  if (token.kind === "str") return "a string";
  if (token.kind === "num") return "a number";
  return `\`${token.value}\``;
}

function trailing(state: State, token: Token): LilyError {
  let hint = "join conditions with `&&` or `||`";
  if (token.kind === "punct" && (RELATIONS.includes(token.value) || token.value === "==")) {
    hint = "comparisons do not chain: write `a < b && b < c`";
  } else if (token.kind === "ident" && token.value === "in") {
    hint = "`in` does not chain: write `a in x && b in x`";
  } else if (isPunct(token, ")") || isPunct(token, "]")) {
    hint = `this \`${token.value}\` has no matching opening bracket`;
  } else if (isPunct(token, "(")) {
    hint = "only `success()`, `failure()`, `always()` and `cancelled()` can be called";
  } else if (isPunct(token, ".")) {
    hint = "names are written `params.x`, `vars.x`, `env.X` or `steps.<id>.outputs.<name>`";
  }
  return syntaxError(state, `unexpected ${describeToken(token)}`, token.start, token.end, {
    hint,
  });
}

function guardDepth(state: State, depth: number, at: Token): void {
  if (depth > MAX_DEPTH) {
    throw new LilyError(
      "LILY-E0513",
      `expression nests too deeply (more than ${MAX_DEPTH} levels)`,
      {
        span: spanAt(state.where, state.source, at.start, at.end),
        label: `level ${depth}`,
        hint: "simplify the expression",
      },
    );
  }
}

function parseOr(state: State, depth: number): Ast {
  let left = parseAnd(state, depth);
  while (isPunct(peek(state), "||")) {
    next(state);
    const right = parseAnd(state, depth);
    left = binary(state, "||", left, right);
  }
  return left;
}

function parseAnd(state: State, depth: number): Ast {
  let left = parseEquality(state, depth);
  while (isPunct(peek(state), "&&")) {
    next(state);
    const right = parseEquality(state, depth);
    left = binary(state, "&&", left, right);
  }
  return left;
}

function parseEquality(state: State, depth: number): Ast {
  let left = parseRelation(state, depth);
  for (;;) {
    const token = peek(state);
    if (!isPunct(token, "==") && !isPunct(token, "!=")) return left;
    next(state);
    const right = parseRelation(state, depth);
    left = binary(state, token.value as "==" | "!=", left, right);
  }
}

function parseRelation(state: State, depth: number): Ast {
  const left = parseUnary(state, depth);
  const token = peek(state);
  const isIn = token.kind === "ident" && token.value === "in";
  if (!isIn && !(token.kind === "punct" && RELATIONS.includes(token.value))) return left;
  next(state);
  const right = parseUnary(state, depth);
  const op = isIn ? "in" : token.value as "<" | "<=" | ">" | ">=";
  return binary(state, op, left, right);
}

function binary(
  state: State,
  op: "&&" | "||" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in",
  l: Ast,
  r: Ast,
): Ast {
  return node(state, { op, l, r }, rangeOf(state, l).start, rangeOf(state, r).end);
}

function parseUnary(state: State, depth: number): Ast {
  const token = peek(state);
  if (!isPunct(token, "!")) return parsePrimary(state, depth);
  next(state);
  guardDepth(state, depth + 1, token);
  const operand = parseUnary(state, depth + 1);
  return node(state, { op: "!", a: operand }, token.start, rangeOf(state, operand).end);
}

function parsePrimary(state: State, depth: number): Ast {
  const token = next(state);
  switch (token.kind) {
    case "str":
    case "num":
      return node(state, { lit: token.value }, token.start, token.end);
    case "ident":
      return parseWord(state, token);
    case "eof":
      throw syntaxError(state, "the expression ends too early", token.start, token.start + 1, {
        hint: "complete the condition",
        label: "a value, a name or `(` is missing here",
      });
    case "punct":
      if (token.value === "(") return parseGroup(state, token, depth);
      if (token.value === "[") return parseList(state, token, depth);
      throw syntaxError(state, `unexpected ${describeToken(token)}`, token.start, token.end, {
        hint: token.value === "!=" || token.value === "=="
          ? "a comparison needs a value on each side"
          : "expected a value, a name or `(`",
      });
  }
}

function parseGroup(state: State, open: Token, depth: number): Ast {
  guardDepth(state, depth + 1, open);
  const inner = parseOr(state, depth + 1);
  const close = next(state);
  if (!isPunct(close, ")")) {
    throw syntaxError(
      state,
      `expected \`)\`, found ${describeToken(close)}`,
      close.start,
      Math.max(close.end, close.start + 1),
      { openedAt: open.start, hint: "close the `(` with a matching `)`" },
    );
  }
  // The parentheses belong to the operand: errors about it underline them too.
  state.ranges.set(inner, { ...rangeOf(state, inner), start: open.start, end: close.end });
  return inner;
}

function parseList(state: State, open: Token, depth: number): Ast {
  guardDepth(state, depth + 1, open);
  const items: Ast[] = [];
  if (!isPunct(peek(state), "]")) {
    for (;;) {
      items.push(parseOr(state, depth + 1));
      if (!isPunct(peek(state), ",")) break;
      next(state);
    }
  }
  const close = next(state);
  if (!isPunct(close, "]")) {
    throw syntaxError(
      state,
      `expected \`,\` or \`]\`, found ${describeToken(close)}`,
      close.start,
      Math.max(close.end, close.start + 1),
      { openedAt: open.start, hint: "separate items with `,` and close the list with `]`" },
    );
  }
  return node(state, { list: items }, open.start, close.end);
}

function parseWord(state: State, first: Token & { kind: "ident" }): Ast {
  const word = first.value;
  if (word === "true" || word === "false") {
    return node(state, { lit: word === "true" }, first.start, first.end);
  }
  if (word === "null") return node(state, { lit: null }, first.start, first.end);
  if (word === "in") {
    throw syntaxError(state, "`in` needs a value on its left", first.start, first.end, {
      hint: 'write `"x" in params.list`',
    });
  }
  if (isPunct(peek(state), "(")) return parseCall(state, first);
  const path = [word];
  const parts = [first.start];
  let end = first.end;
  while (isPunct(peek(state), ".")) {
    const dot = next(state);
    const part = next(state);
    if (part.kind !== "ident") {
      throw syntaxError(
        state,
        `expected a name after \`.\`, found ${describeToken(part)}`,
        part.kind === "eof" ? dot.start : part.start,
        part.kind === "eof" ? dot.end : part.end,
        { hint: "names are written `params.x`, `env.X` or `steps.<id>.outputs.<name>`" },
      );
    }
    path.push(part.value);
    parts.push(part.start);
    end = part.end;
  }
  const [ref, at] = joinDottedIds(path, parts);
  const ast: Ast = { ref };
  state.ranges.set(ast, { start: first.start, end, parts: at });
  return ast;
}

function parseCall(state: State, name: Token & { kind: "ident" }): Ast {
  next(state); // (
  const close = next(state);
  const known = (STATUS_FUNCTIONS as readonly string[]).includes(name.value);
  if (!known) {
    const guess = didYouMean(name.value, STATUS_FUNCTIONS);
    const hints: Record<string, string> = {
      contains: 'write `x in list` or `"sub" in text`',
      startsWith: "compare with `==`, or test a prefix in an earlier step",
    };
    throw new LilyError("LILY-E0508", `unknown function \`${name.value}()\``, {
      span: spanAt(state.where, state.source, name.start, name.end),
      hint: (Object.hasOwn(hints, name.value) ? hints[name.value] : undefined) ??
        (guess
          ? `did you mean \`${guess}()\`?`
          : `the only functions are ${
            listNames(STATUS_FUNCTIONS.map((f) => `${f}()`))
          }; names are written \`params.x\``),
    });
  }
  if (!isPunct(close, ")")) {
    throw new LilyError("LILY-E0508", `\`${name.value}()\` takes no arguments`, {
      span: spanAt(state.where, state.source, close.start, Math.max(close.end, close.start + 1)),
      hint: `write \`${name.value}()\``,
    });
  }
  const call = name.value as StatusFunction;
  state.calls.add(call);
  return node(state, { call }, name.start, close.end);
}
