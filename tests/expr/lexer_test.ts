import assert from "node:assert/strict";
import { LilyError } from "../../src/errors.ts";
import { tokenize } from "../../src/expr/lexer.ts";
import { MAX_DEPTH, MAX_LENGTH } from "../../src/expr/mod.ts";
import { where } from "./_scope.ts";

function lex(source: string): [string, unknown][] {
  return tokenize(source, where).map((t) => [t.kind, t.value]);
}

function lexError(source: string): LilyError {
  try {
    tokenize(source, where);
  } catch (error) {
    assert.ok(error instanceof LilyError, `${JSON.stringify(source)}: ${error}`);
    return error;
  }
  assert.fail(`${JSON.stringify(source)} lexed without an error`);
}

Deno.test("lexer: operators are read longest first", () => {
  assert.deepEqual(lex("<= < >= > == != && || !"), [
    ["punct", "<="],
    ["punct", "<"],
    ["punct", ">="],
    ["punct", ">"],
    ["punct", "=="],
    ["punct", "!="],
    ["punct", "&&"],
    ["punct", "||"],
    ["punct", "!"],
    ["eof", ""],
  ]);
});

Deno.test("lexer: token offsets are 0-based UTF-16 offsets into the source", () => {
  const tokens = tokenize("  params.n >= 'é'", where);
  assert.deepEqual(tokens.map((t) => [t.start, t.end]), [
    [2, 8],
    [8, 9],
    [9, 10],
    [11, 13],
    [14, 17],
    [17, 17],
  ]);
});

Deno.test("lexer: strings in either quote decode every escape", () => {
  assert.deepEqual(lex(String.raw`"a\n\t\r\0\\\"\'\u00e9\u0041" 'it\'s "x"'`), [
    ["str", "a\n\t\r\0\\\"'éA"],
    ["str", `it's "x"`],
    ["eof", ""],
  ]);
});

Deno.test("lexer: integers and floats, with a leading minus and exponents", () => {
  const numbers = lex("[0, 42, -7, 2.5, -0.25, 1e3, 2.5E-2]").filter(([kind]) => kind === "num");
  assert.deepEqual(numbers.map(([, value]) => value), [0, 42, -7, 2.5, -0.25, 1000, 0.025]);
});

Deno.test("lexer: -0 is read as 0 (the AST stays plain JSON)", () => {
  const [token] = tokenize("-0", where);
  assert.ok(Object.is(token.value, 0));
});

Deno.test("lexer: `-` inside a word belongs to it (step ids), a trailing one does not", () => {
  assert.deepEqual(lex("steps.build-app-2.outputs"), [
    ["ident", "steps"],
    ["punct", "."],
    ["ident", "build-app-2"],
    ["punct", "."],
    ["ident", "outputs"],
    ["eof", ""],
  ]);
  assert.equal(lexError("params.n- 1").code, "LILY-E0503");
});

Deno.test("lexer: a minus after a value is refused: there is no arithmetic", () => {
  const error = lexError("params.n -1");
  assert.equal(error.code, "LILY-E0503");
  assert.equal(error.span?.col, where.col + 9);
});

Deno.test("lexer: malformed numbers name the whole bad word", () => {
  for (
    const [source, shown] of [["12abc", "12abc"], ["007", "007"], ["1.", "1."], ["1.2.3", "1.2.3"]]
  ) {
    const error = lexError(source);
    assert.equal(error.code, "LILY-E0502", source);
    assert.match(error.message, new RegExp("`" + shown.replaceAll(".", "\\.") + "`"));
  }
});

Deno.test("lexer: numbers outside the exact range are refused, not rounded", () => {
  assert.equal(lexError("9007199254740993").code, "LILY-E0502");
  assert.equal(lexError("1e400").code, "LILY-E0502");
  assert.deepEqual(lex("9007199254740991"), [["num", 9007199254740991], ["eof", ""]]);
});

Deno.test("lexer: an unknown escape is an error at the backslash", () => {
  const error = lexError(String.raw`"ab\q"`);
  assert.equal(error.code, "LILY-E0504");
  assert.equal(error.span?.col, where.col + 3);
  assert.equal(lexError(String.raw`"\u12"`).code, "LILY-E0504");
});

Deno.test("lexer: an unclosed string is an error at its opening quote", () => {
  const error = lexError(`params.s == "abc`);
  assert.equal(error.code, "LILY-E0505");
  assert.equal(error.span?.col, where.col + 12);
  assert.equal(lexError(`'abc\\`).code, "LILY-E0504");
});

Deno.test("lexer: `=`, `===`, `&`, `|` and foreign characters are refused with a hint", () => {
  const cases: [string, number, RegExp][] = [
    ["params.n = 1", 9, /`==`/],
    ["params.n === 1", 9, /already compares strictly/],
    ["params.n !== 1", 9, /`!=`/],
    ["true & false", 5, /`&&`/],
    ["true | false", 5, /`\|\|`/],
    ["${{ params.n }}", 0, /bare/],
    ["params.n + 1", 9, /no arithmetic/],
  ];
  for (const [source, offset, hint] of cases) {
    const error = lexError(source);
    assert.equal(error.code, "LILY-E0503", source);
    assert.equal(error.span?.col, where.col + offset, source);
    assert.match(error.hint ?? "", hint, source);
  }
});

Deno.test("lexer: invisible characters are shown as code points", () => {
  assert.match(lexError("true\u00a0").message, /U\+00A0/);
  assert.match(lexError("\u0007").message, /U\+0007/);
  assert.match(lexError("\ud800").message, /U\+D800/);
  assert.match(lexError("😀").message, /😀/);
});

Deno.test("lexer: an expression longer than MAX_LENGTH is refused", () => {
  const error = lexError("true || " + "x".repeat(MAX_LENGTH));
  assert.equal(error.code, "LILY-E0501");
  assert.equal(error.span?.col, where.col);
  assert.equal(lexError("'" + "a".repeat(MAX_LENGTH) + "'").code, "LILY-E0501");
  assert.equal(lexError("true" + " ".repeat(MAX_LENGTH)).code, "LILY-E0501");
  assert.doesNotThrow(() => tokenize("x".repeat(MAX_LENGTH), where));
});

Deno.test("lexer: brackets deeper than MAX_DEPTH are refused where the depth is exceeded", () => {
  const error = lexError("(".repeat(10_000) + "true" + ")".repeat(10_000));
  assert.equal(error.code, "LILY-E0513");
  assert.match(error.message, /nests too deeply/);
  assert.equal(error.span?.col, where.col + MAX_DEPTH);
  assert.equal(lexError("[".repeat(MAX_DEPTH + 1)).code, "LILY-E0513");
});

Deno.test("lexer: after a newline the line advances and the column restarts at where.col", () => {
  const error = lexError("params.n == 1 &&\n  params.s = 2");
  assert.deepEqual([error.span?.line, error.span?.col], [where.line + 1, where.col + 11]);
});
