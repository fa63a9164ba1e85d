import assert from "node:assert/strict";
import { compileExpr, printExpr } from "../../src/expr/mod.ts";
import { scope, where } from "./_scope.ts";

function canonical(source: string): string {
  return printExpr(compileExpr(source, scope, where).ast);
}

Deno.test("print: one space around binary operators, none after `!`", () => {
  assert.equal(
    canonical("params.n>1&&!params.on||'a'in params.s"),
    'params.n > 1 && !params.on || "a" in params.s',
  );
});

Deno.test("print: only the parentheses the meaning needs", () => {
  assert.equal(canonical("((params.on) && (params.off))"), "params.on && params.off");
  assert.equal(canonical("params.on && (params.off || true)"), "params.on && (params.off || true)");
  assert.equal(canonical("(params.on && params.off) || true"), "params.on && params.off || true");
  assert.equal(canonical("params.on == (params.off == true)"), "params.on == (params.off == true)");
  assert.equal(canonical("!(params.n > 1)"), "!(params.n > 1)");
  assert.equal(canonical("(1 < 2) in [true]"), "(1 < 2) in [true]");
});

Deno.test("print: strings are double-quoted with escapes the lexer reads back", () => {
  assert.equal(
    canonical(String.raw`'it\'s' == "a\"b\\c\n\t\r\0\u0007\u2028é😀"`),
    String.raw`"it's" == "a\"b\\c\n\t\r\u0000\u0007\u2028é😀"`,
  );
});

Deno.test("print: numbers print so they read back to the same double", () => {
  assert.equal(canonical("params.n == 1e16"), "params.n == 1e+16");
  assert.equal(canonical("params.x < 0.1"), "params.x < 0.1");
  assert.equal(canonical("params.x > -2.50"), "params.x > -2.5");
  assert.equal(canonical("params.x > 1e-7"), "params.x > 1e-7");
});

Deno.test("print: names, calls, lists and null", () => {
  assert.equal(
    canonical("steps.build-app.outputs.tag in [ 'a' , null ] || always( )"),
    'steps.build-app.outputs.tag in ["a", null] || always()',
  );
});
