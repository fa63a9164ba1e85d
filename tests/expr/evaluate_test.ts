import assert from "node:assert/strict";
import { LilyError } from "../../src/errors.ts";
import { type Ast, compileExpr, equal, evaluate, evaluateCondition } from "../../src/expr/mod.ts";
import { context, OK, scope, where } from "./_scope.ts";

function run(source: string, ctx = context()): boolean {
  return evaluateCondition(compileExpr(source, scope, where), ctx);
}

function runError(source: string, ctx = context()): LilyError {
  const compiled = compileExpr(source, scope, where);
  try {
    evaluateCondition(compiled, ctx);
  } catch (error) {
    assert.ok(error instanceof LilyError, `${source}: ${error}`);
    return error;
  }
  assert.fail(`${source} evaluated without an error`);
}

Deno.test("evaluate: names read run-time values", () => {
  assert.equal(run("params.n == 3 && params.s == 'abc' && vars.mode == 'fast'"), true);
  assert.equal(run("steps.build-app.outputs.tag == 'v1' && steps.probe.outputs.frames == 0"), true);
  assert.equal(run("env.CI == 'true'"), true);
});

Deno.test("evaluate: a name with no value reads as null", () => {
  const ctx = context(OK, {});
  assert.equal(run("params.s == null", ctx), true);
});

Deno.test("evaluate: precedence decides the result", () => {
  assert.equal(run("true || false && false"), true);
  assert.equal(run("(true || false) && false"), false);
  assert.equal(run("!false == true"), true);
});

Deno.test("evaluate: && and || short-circuit (the right side is not read)", () => {
  const read: string[] = [];
  const ctx = {
    lookup: (p: readonly string[]) => (read.push(p.join(".")), true),
    status: OK,
  };
  evaluateCondition(compileExpr("false && params.on", scope, where), ctx);
  evaluateCondition(compileExpr("true || params.off", scope, where), ctx);
  assert.deepEqual(read, []);
});

Deno.test("evaluate: == across types is false and != is true, never an error", () => {
  assert.equal(run("params.n == '3'"), false);
  assert.equal(run("params.n != '3'"), true);
  assert.equal(run("null == false"), false);
  assert.equal(run("0 == false"), false);
  assert.equal(run("'' == null"), false);
  assert.equal(run("[1] == 1"), false);
});

Deno.test("evaluate: ints and floats compare numerically", () => {
  assert.equal(run("params.n == 3.0"), true);
  assert.equal(run("params.n > 2.9 && params.x < params.n && 3 >= 3.0"), true);
});

Deno.test("evaluate: lists compare item by item", () => {
  assert.equal(run("params.tags == ['gpu', 'fast', 2]"), true);
  assert.equal(run("params.tags == ['gpu', 'fast', '2']"), false);
  assert.equal(run("[[1, 2], []] == [[1, 2.0], []]"), true);
});

Deno.test("evaluate: ordering of numbers and of strings", () => {
  assert.equal(run("params.x >= 2.5 && params.n < 3.5 && -1 < 0 && params.n <= 3"), true);
  assert.equal(run("'abc' < 'abd' && 'B' < 'a' && params.s > 'ab'"), true);
});

Deno.test("evaluate: `in` tests list membership with == and substrings of strings", () => {
  assert.equal(run("'gpu' in params.tags && 2.0 in params.tags"), true);
  assert.equal(run("'2' in params.tags"), false);
  assert.equal(run("'bc' in params.s && '' in params.s"), true);
  assert.equal(run("'x' in params.s"), false);
  assert.equal(run("[1] in [[1], 2]"), true);
});

Deno.test("evaluate: an `any` value of the wrong type is a run-time LilyError", () => {
  const yes = context(OK, { "steps.probe.outputs.meta": "yes", "params.cfg": { a: 1 } });
  assert.equal(runError("steps.probe.outputs.meta && true", yes).code, "LILY-E0512");
  assert.equal(runError("steps.probe.outputs.meta", yes).code, "LILY-E0512");
  assert.equal(runError("!steps.probe.outputs.meta", yes).code, "LILY-E0512");
  assert.equal(runError("params.cfg > 1", yes).code, "LILY-E0512");
  assert.equal(runError("steps.probe.outputs.meta < 1", yes).code, "LILY-E0512");
  assert.equal(runError("1 in params.cfg", yes).code, "LILY-E0512");
  assert.equal(runError("1 in steps.probe.outputs.meta", yes).code, "LILY-E0512");
});

Deno.test("evaluate: an `any` value of the right type works", () => {
  const values = { "steps.probe.outputs.meta": true, "params.cfg": 7 };
  assert.equal(run("steps.probe.outputs.meta && params.cfg > 5", context(OK, values)), true);
});

Deno.test("evaluate: run-time type errors do not quote string values", () => {
  const secretish = context(OK, { "steps.probe.outputs.meta": "hunter2" });
  assert.doesNotMatch(runError("steps.probe.outputs.meta", secretish).message, /hunter2/);
});

Deno.test("evaluate: a malformed AST from a hand-edited lock is a LilyError", () => {
  const ctx = context();
  const bad: unknown[] = [
    null,
    42,
    {},
    { op: "+", l: { lit: 1 }, r: { lit: 2 } },
    { op: "&&", l: { lit: true } },
    { call: "exec" },
    { list: "abc" },
    { op: "!", a: [] },
  ];
  for (const ast of bad) {
    assert.throws(
      () => evaluateCondition({ ast: ast as Ast, status: "always" }, ctx),
      (e: unknown) => e instanceof LilyError && e.code === "LILY-E0515",
      JSON.stringify(ast),
    );
  }
});

Deno.test("evaluate: an absurdly deep AST is a LilyError, not a crash", () => {
  let ast: Ast = { lit: true };
  for (let i = 0; i < 200_000; i++) ast = { op: "!", a: ast };
  assert.throws(
    () => evaluateCondition({ ast, status: "always" }, context()),
    (e: unknown) => e instanceof LilyError && e.code === "LILY-E0515",
  );
});

Deno.test("evaluate: evaluate() gives the value of any node", () => {
  assert.deepEqual(evaluate({ list: [{ lit: 1 }, { ref: ["params", "s"] }] }, context()), [
    1,
    "abc",
  ]);
});

Deno.test("equal: strict across types, numeric for numbers, deep for lists and maps", () => {
  assert.equal(equal(1, 1.0), true);
  assert.equal(equal(1, "1"), false);
  assert.equal(equal(null, undefined), false);
  assert.equal(equal({ a: [1], b: 2 }, { b: 2, a: [1] }), true);
  assert.equal(equal({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(equal([1], { 0: 1 }), false);
});

Deno.test("evaluate: a stored condition (through JSON) evaluates the same, repeatedly", () => {
  const compiled = compileExpr(
    "params.on && steps.probe.outputs.frames >= 0 && 'gpu' in params.tags && " +
      "(vars.mode == 'fast' || env.CI != 'true') && !failure()",
    scope,
    where,
  );
  const stored = JSON.parse(JSON.stringify(compiled));
  const ctx = context();
  // Speed is measured in scripts/bench/expr_bench.ts, never asserted in a test.
  for (let i = 0; i < 1_000; i++) assert.equal(evaluateCondition(stored, ctx), true);
});
