import assert from "node:assert/strict";
import { LilyError } from "../../src/errors.ts";
import { tokenize } from "../../src/expr/lexer.ts";
import { parseExpr } from "../../src/expr/parser.ts";
import { printExpr } from "../../src/expr/mod.ts";
import { where } from "./_scope.ts";

/** The AST as JSON, for exact comparisons. */
function ast(source: string): unknown {
  return JSON.parse(JSON.stringify(parseExpr(source, where).ast));
}

function parseError(source: string): LilyError {
  try {
    parseExpr(source, where);
  } catch (error) {
    assert.ok(error instanceof LilyError, `${JSON.stringify(source)}: ${error}`);
    return error;
  }
  assert.fail(`${JSON.stringify(source)} parsed without an error`);
}

const a = { ref: ["p", "a"] }, b = { ref: ["p", "b"] }, c = { ref: ["p", "c"] };

Deno.test("parser: && binds tighter than ||", () => {
  assert.deepEqual(ast("p.a || p.b && p.c"), { op: "||", l: a, r: { op: "&&", l: b, r: c } });
  assert.deepEqual(ast("p.a && p.b || p.c"), { op: "||", l: { op: "&&", l: a, r: b }, r: c });
});

Deno.test("parser: equality binds tighter than &&, relations tighter than equality", () => {
  assert.deepEqual(ast("p.a == 1 && p.b"), {
    op: "&&",
    l: { op: "==", l: a, r: { lit: 1 } },
    r: b,
  });
  assert.deepEqual(ast("p.a < 1 == p.b >= 2"), {
    op: "==",
    l: { op: "<", l: a, r: { lit: 1 } },
    r: { op: ">=", l: b, r: { lit: 2 } },
  });
  assert.deepEqual(ast("'x' in p.a != false"), {
    op: "!=",
    l: { op: "in", l: { lit: "x" }, r: a },
    r: { lit: false },
  });
});

Deno.test("parser: ! binds tightest and nests", () => {
  assert.deepEqual(ast("!p.a == p.b"), { op: "==", l: { op: "!", a }, r: b });
  assert.deepEqual(ast("!!p.a"), { op: "!", a: { op: "!", a } });
});

Deno.test("parser: binary operators of one level associate to the left", () => {
  assert.deepEqual(ast("p.a || p.b || p.c"), {
    op: "||",
    l: { op: "||", l: a, r: b },
    r: c,
  });
  assert.deepEqual(ast("p.a == p.b == p.c"), {
    op: "==",
    l: { op: "==", l: a, r: b },
    r: c,
  });
});

Deno.test("parser: parentheses override precedence and leave no node behind", () => {
  assert.deepEqual(ast("(p.a || p.b) && p.c"), {
    op: "&&",
    l: { op: "||", l: a, r: b },
    r: c,
  });
  assert.deepEqual(ast("((p.a))"), a);
});

Deno.test("parser: literals, lists and status calls", () => {
  assert.deepEqual(ast('[1, -2.5, "s", true, false, null, [], [p.a]]'), {
    list: [
      { lit: 1 },
      { lit: -2.5 },
      { lit: "s" },
      { lit: true },
      { lit: false },
      { lit: null },
      { list: [] },
      { list: [a] },
    ],
  });
  assert.deepEqual(ast("success() || failure ( ) || always() || cancelled()"), {
    op: "||",
    l: {
      op: "||",
      l: { op: "||", l: { call: "success" }, r: { call: "failure" } },
      r: { call: "always" },
    },
    r: { call: "cancelled" },
  });
});

Deno.test("parser: keywords may be parts of a dotted name", () => {
  assert.deepEqual(ast("steps.x-1.outputs.in"), { ref: ["steps", "x-1", "outputs", "in"] });
  assert.deepEqual(ast("params.true"), { ref: ["params", "true"] });
});

Deno.test("parser: the status functions called are collected", () => {
  const parsed = parseExpr("failure() && !cancelled() || failure()", where);
  assert.deepEqual([...parsed.calls].sort(), ["cancelled", "failure"]);
});

Deno.test("parser: an empty condition is an error", () => {
  assert.equal(parseError("").code, "LILY-E0506");
  assert.match(parseError("   ").message, /empty/);
});

Deno.test("parser: syntax errors point at the offending token", () => {
  const cases: [string, number, RegExp][] = [
    ["p.a &&", 6, /ends too early/],
    ["p.a && || p.b", 7, /unexpected `\|\|`/],
    ["(p.a || p.b", 11, /expected `\)`/],
    ["[1, 2", 5, /expected `,` or `]`/],
    ["[1 2]", 3, /expected `,` or `]`/],
    ["p.a p.b", 4, /unexpected `p`/],
    ["p.a)", 3, /unexpected `\)`/],
    ["p.", 1, /expected a name after `\.`/],
    ["p.1", 2, /expected a name/],
    ["== 1", 0, /unexpected `==`/],
    ["in p.a", 0, /`in` needs a value on its left/],
    ["p.a.b(", 5, /unexpected `\(`/],
  ];
  for (const [source, offset, message] of cases) {
    const error = parseError(source);
    assert.equal(error.code, "LILY-E0506", source);
    assert.match(error.message, message, source);
    assert.equal(error.span?.col, where.col + offset, source);
    assert.equal(error.span?.line, where.line, source);
  }
});

Deno.test("parser: an unclosed bracket also points at where it was opened", () => {
  const error = parseError("p.a && (p.b || [p.c");
  assert.equal(error.span?.col, where.col + 19);
  assert.equal(error.notes[0]?.span?.col, where.col + 15);
  assert.match(error.notes[0]?.message ?? "", /`\[` opened here/);
});

Deno.test("parser: comparisons do not chain", () => {
  const error = parseError("1 < p.a < 3");
  assert.equal(error.code, "LILY-E0506");
  assert.equal(error.span?.col, where.col + 8);
  assert.match(error.hint ?? "", /do not chain/);
  assert.match(parseError("'a' in p.a in p.b").hint ?? "", /does not chain/);
});

Deno.test("parser: unknown functions and arguments to status functions are E0508", () => {
  const typo = parseError("sucess()");
  assert.deepEqual([typo.code, typo.span?.col], ["LILY-E0508", where.col]);
  assert.match(typo.hint ?? "", /did you mean `success\(\)`/);
  assert.match(parseError("contains(p.a, 'x')").hint ?? "", /in/);
  const args = parseError("always(1)");
  assert.deepEqual([args.code, args.span?.col], ["LILY-E0508", where.col + 7]);
});

Deno.test("parser: nesting of (, [ and ! beyond MAX_DEPTH is an error, not a crash", () => {
  for (
    const source of [
      "(".repeat(10_000) + "true" + ")".repeat(10_000),
      "!".repeat(10_000) + "true",
      "!(".repeat(2000) + "true" + ")".repeat(2000),
      "[".repeat(5000) + "]".repeat(5000),
    ]
  ) {
    const error = parseError(source);
    assert.equal(error.code, "LILY-E0513", source.slice(0, 20));
    assert.match(error.message, /nests too deeply/);
  }
});

Deno.test("parser: exactly MAX_DEPTH levels are accepted", () => {
  assert.deepEqual(ast("(".repeat(64) + "true" + ")".repeat(64)), { lit: true });
  assert.equal(printExpr(parseExpr("!".repeat(64) + "true", where).ast), "!".repeat(64) + "true");
  assert.equal(parseError("!".repeat(65) + "true").span?.col, where.col + 64);
});

Deno.test("parser: a long flat chain (deep left-nested AST) parses without recursion trouble", () => {
  const source = Array(1365).fill("1").join("==");
  assert.ok(source.length <= 4096);
  const parsed = parseExpr(source, where);
  assert.equal(printExpr(parsed.ast), Array(1365).fill("1").join(" == "));
});

Deno.test("parser: the lexer's early depth check agrees with the parser's count", () => {
  // Each source is exactly MAX_DEPTH deep by the parser's count; one more level fails.
  const at = (n: number) => [
    "(".repeat(n) + "success()" + ")".repeat(n),
    "!(".repeat(n / 2) + "true" + ")".repeat(n / 2),
    "!a.b && " + "!".repeat(n) + "c.d",
    "[" + "!".repeat(n - 1) + "true, " + "!".repeat(n - 2) + "(true)]",
    "(".repeat(n - 1) + "!true && !true" + ")".repeat(n - 1),
  ];
  for (const source of at(64)) assert.doesNotThrow(() => parseExpr(source, where), source);
  for (const source of at(66)) {
    assert.throws(() => tokenize(source, where), /nests too deeply/, source);
  }
});
