import assert from "node:assert/strict";
import { LilyError } from "../../src/errors.ts";
import { compileExpr } from "../../src/expr/mod.ts";
import { scope, where } from "./_scope.ts";

function compileError(source: string): LilyError {
  try {
    compileExpr(source, scope, where);
  } catch (error) {
    assert.ok(error instanceof LilyError, `${JSON.stringify(source)}: ${error}`);
    return error;
  }
  assert.fail(`${JSON.stringify(source)} compiled without an error`);
}

/** [code, column offset, underlined length] of the error for `source`. */
function located(source: string): [string, number, number | undefined] {
  const error = compileError(source);
  return [error.code, error.span!.col - where.col, error.span!.length];
}

Deno.test("check: names over params, vars, env and steps outputs compile", () => {
  const compiled = compileExpr(
    "params.on && vars.mode == 'fast' && env.CI == 'true' && steps.build-app.outputs.tag != ''",
    scope,
    where,
  );
  assert.deepEqual(compiled.refs, [
    ["params", "on"],
    ["vars", "mode"],
    ["env", "CI"],
    ["steps", "build-app", "outputs", "tag"],
  ]);
});

Deno.test("check: refs list each name once, in source order", () => {
  const compiled = compileExpr("params.n > 1 && params.s == 'a' || params.n < 0", scope, where);
  assert.deepEqual(compiled.refs, [["params", "n"], ["params", "s"]]);
});

Deno.test("check: an unknown name points at the wrong part with a did-you-mean", () => {
  const error = compileError("params.n == 1 && params.sz == 'a'");
  assert.equal(error.code, "LILY-E0507");
  assert.equal(error.span?.col, where.col + 24);
  assert.equal(error.span?.length, 2);
  assert.match(error.hint ?? "", /did you mean `params\.s`\?/);
});

Deno.test("check: an unknown step says it is not in the needs and suggests a close one", () => {
  const error = compileError("steps.build-ap.outputs.tag == 'x'");
  assert.deepEqual(located("steps.build-ap.outputs.tag == 'x'"), ["LILY-E0507", 6, 8]);
  assert.match(error.message, /not one this step needs/);
  assert.match(error.hint ?? "", /did you mean `steps\.build-app\.outputs\.tag`/);
});

Deno.test("check: an unknown output lists the step's outputs", () => {
  const error = compileError("steps.probe.outputs.zzz == 1");
  assert.equal(error.span?.col, where.col + 20);
  assert.match(error.hint ?? "", /`frames` and `meta`/);
});

Deno.test("check: an unknown root suggests a root, a function, or quotes", () => {
  assert.match(compileError("param.n == 1").hint ?? "", /did you mean `params`/);
  assert.match(compileError("always").hint ?? "", /did you mean `always\(\)`/);
  const bare = compileError("vars.mode == fast");
  assert.deepEqual([bare.code, bare.span?.col], ["LILY-E0507", where.col + 13]);
  assert.match(bare.hint ?? "", /needs quotes: `"fast"`/);
});

Deno.test("check: names with the wrong shape say the right shape", () => {
  assert.deepEqual(located("params"), ["LILY-E0507", 0, 6]);
  assert.match(compileError("params").hint ?? "", /`params\.<name>`/);
  assert.deepEqual(located("params.n.x == 1"), ["LILY-E0507", 9, 1]);
  assert.deepEqual(located("steps.probe.frames == 1"), ["LILY-E0507", 12, 6]);
  assert.match(compileError("steps.probe").hint ?? "", /`steps\.<id>\.outputs\.<name>`/);
});

Deno.test("check: a secret param cannot steer a condition", () => {
  const error = compileError("params.token == 'x'");
  assert.deepEqual([error.code, error.span?.col, error.span?.length], [
    "LILY-E0514",
    where.col,
    12,
  ]);
  assert.match(error.message, /secret/);
});

Deno.test("check: the whole condition must be a boolean", () => {
  assert.deepEqual(located("params.s"), ["LILY-E0509", 0, 8]);
  assert.deepEqual(located("1"), ["LILY-E0509", 0, 1]);
  assert.deepEqual(located("[true]"), ["LILY-E0509", 0, 6]);
  assert.doesNotThrow(() => compileExpr("params.cfg", scope, where));
});

Deno.test("check: &&, || and ! need booleans", () => {
  assert.deepEqual(located("params.on && params.n"), ["LILY-E0509", 13, 8]);
  assert.deepEqual(located("'yes' || true"), ["LILY-E0509", 0, 5]);
  assert.deepEqual(located("!params.s"), ["LILY-E0509", 1, 8]);
  assert.deepEqual(located("!(params.s)"), ["LILY-E0509", 1, 10]);
  assert.match(compileError("params.on && params.s").hint ?? "", /compare it/);
});

Deno.test("check: ordering across known types is an error naming both types", () => {
  const error = compileError("params.on && params.n < params.s");
  assert.deepEqual([error.code, error.span?.col, error.span?.length], [
    "LILY-E0510",
    where.col + 13,
    19,
  ]);
  assert.match(error.message, /cannot order an integer and a string/);
  assert.deepEqual(located("'a' >= 1"), ["LILY-E0510", 0, 8]);
});

Deno.test("check: ordering booleans, lists or null is an error at that operand", () => {
  assert.deepEqual(located("params.n > true"), ["LILY-E0510", 11, 4]);
  assert.deepEqual(located("[1] < [2]"), ["LILY-E0510", 0, 3]);
  assert.deepEqual(located("params.nothing <= 1"), ["LILY-E0510", 0, 14]);
});

Deno.test("check: ordering ints with floats, strings with strings, and any is allowed", () => {
  for (
    const source of [
      "params.n < params.x",
      "params.x >= 2",
      "'a' < params.s",
      "params.cfg > 1",
      "params.s <= steps.probe.outputs.meta",
    ]
  ) {
    assert.doesNotThrow(() => compileExpr(source, scope, where), source);
  }
});

Deno.test("check: == and != accept any two types", () => {
  for (const source of ["params.n == 's'", "null != [1]", "params.on == params.tags"]) {
    assert.doesNotThrow(() => compileExpr(source, scope, where), source);
  }
});

Deno.test("check: `in` needs a list or a string on its right", () => {
  assert.deepEqual(located("1 in params.n"), ["LILY-E0511", 5, 8]);
  assert.deepEqual(located("1 in params.s"), ["LILY-E0511", 0, 1]);
  for (const source of ["1 in params.tags", "'a' in params.s", "params.n in params.cfg"]) {
    assert.doesNotThrow(() => compileExpr(source, scope, where), source);
  }
});

Deno.test("check: list items are checked too", () => {
  assert.deepEqual(located("1 in [params.zz]"), ["LILY-E0507", 13, 2]);
});

Deno.test("check: the span column is where.col plus the offset, on any where", () => {
  const error = (() => {
    try {
      compileExpr("true && params.bad", scope, { file: "x.petal", line: 30, col: 41 });
    } catch (e) {
      return e as LilyError;
    }
  })();
  assert.deepEqual(error?.span && { ...error.span }, {
    file: "x.petal",
    line: 30,
    col: 41 + 15,
    length: 3,
  });
});
