import fc from "fast-check";
import { assert, assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import { LilyError } from "../../src/errors.ts";
import {
  type Ast,
  compileExpr,
  evaluateCondition,
  type ExprType,
  printExpr,
  type Scope,
} from "../../src/expr/mod.ts";

const TYPES: Record<string, ExprType | "secret"> = {
  "params.n": "int",
  "params.x": "float",
  "params.s": "str",
  "params.on": "bool",
  "params.cfg": "any",
  "params.token": "secret",
  "vars.mode": "str",
  "env.CI": "str",
  "steps.build-app.outputs.tag": "str",
  "steps.probe.outputs.frames": "int",
};
const scope: Scope = {
  lookup: (path) => TYPES[path.join(".")],
  names: (prefix) => {
    const p = prefix.join(".") + ".";
    return [
      ...new Set(
        Object.keys(TYPES).filter((k) => k.startsWith(p)).map((k) =>
          k.slice(p.length).split(".")[0]
        ),
      ),
    ];
  },
};
const where = { file: "flow.petal", line: 7, col: 9 };
const values: Record<string, unknown> = {
  "params.n": 3,
  "params.x": 2.5,
  "params.s": "abc",
  "params.on": true,
  "params.cfg": { a: 1 },
  "vars.mode": "fast",
  "env.CI": "true",
  "steps.build-app.outputs.tag": "v1",
  "steps.probe.outputs.frames": 0,
};
const ok = { dependencyFailed: false, cancelled: false };
const run = (source: string, status = ok) =>
  evaluateCondition(compileExpr(source, scope, where), {
    lookup: (p) => values[p.join(".")],
    status,
  });
const fails = (source: string): LilyError => {
  const error = assertThrows(() => compileExpr(source, scope, where));
  assert(error instanceof LilyError, `${source}: ${error}`);
  return error;
};

Deno.test("literals, names and operators evaluate by their precedence", () => {
  assertEquals(run("params.n > 2 && params.s == 'abc'"), true);
  assertEquals(run("params.n == 3 || false && false"), true);
  assertEquals(run("!(params.n == 3)"), false);
  assertEquals(run('"b" in params.s && 3 in [1, 2, 3] && !("z" in ["a"])'), true);
  assertEquals(run("params.x >= 2.5 && params.n < 3.5 && -1 < 0"), true);
  assertEquals(run("steps.build-app.outputs.tag == 'v1' && steps.probe.outputs.frames == 0"), true);
  assertEquals(run('"a\\tb\\u0041" == "a\\tbA"'), true);
  assertEquals(run("params.cfg == null"), false);
});

Deno.test("== across types is false, never an error", () => {
  assertEquals(run("params.n == '3'"), false);
  assertEquals(run("params.n != '3'"), true);
  assertEquals(run("params.n == 3.0"), true);
  assertEquals(run("null == false"), false);
});

Deno.test("success() is implied: a failed dependency skips the step", () => {
  const failed = { dependencyFailed: true, cancelled: false };
  assertEquals(run("params.on", failed), false);
  assertEquals(run("always() && params.on", failed), true);
  assertEquals(run("failure()", failed), true);
  assertEquals(run("failure()"), false);
  assertEquals(run("cancelled()", { dependencyFailed: false, cancelled: true }), true);
  assertEquals(compileExpr("always()", scope, where).status, "always");
  assertEquals(compileExpr("failure() || always()", scope, where).status, "always");
  assertEquals(compileExpr("failure() && params.on", scope, where).status, "failure");
  assertEquals(compileExpr("params.on", scope, where).status, "success");
});

Deno.test("errors carry the column of the offending part", () => {
  const unknown = fails("params.n == 1 && params.sz == 'a'");
  assertEquals([unknown.code, unknown.span?.col], ["LILY-E0507", 9 + 17]);
  assertMatch(unknown.hint ?? "", /did you mean `params.s`/);
  const order = fails("params.n < params.s");
  assertEquals([order.code, order.span?.col], ["LILY-E0510", 9]);
  assertEquals(fails("params.s").code, "LILY-E0509");
  assertEquals(fails("params.s && true").code, "LILY-E0509");
  assertEquals(fails("params.token == 'x'").code, "LILY-E0514");
  assertEquals(fails("exec('x')").code, "LILY-E0508");
  assertEquals(fails("params.n === 1").code, "LILY-E0503");
  assertEquals(fails("params.n = 1").code, "LILY-E0503");
  assertEquals(fails("(params.on").code, "LILY-E0506");
  assertEquals(fails("'open").code, "LILY-E0505");
  assertEquals(fails("steps.other.outputs.x == 1").code, "LILY-E0507");
  assertEquals(fails("[1, 2] < 3").code, "LILY-E0510");
});

Deno.test("10,000 nested parentheses are an error, not a crash", () => {
  for (
    const text of [
      "(".repeat(10_000) + "true" + ")".repeat(10_000),
      "!".repeat(10_000) + "true",
      "[".repeat(5000) + "]".repeat(5000) + " == 1",
    ]
  ) {
    const error = fails(text);
    assert(["LILY-E0501", "LILY-E0513"].includes(error.code), error.code);
  }
  const shallow = "(".repeat(60) + "true" + ")".repeat(60);
  assertEquals(run(shallow), true);
});

Deno.test("run-time values of type any are checked when evaluated", () => {
  const compiled = compileExpr("params.cfg && true", scope, where);
  const error = assertThrows(() =>
    evaluateCondition(compiled, { lookup: () => "yes", status: ok })
  ) as LilyError;
  assertEquals(error.code, "LILY-E0512");
});

// Random well-typed boolean ASTs for the round-trip property.
const boolAst: fc.Arbitrary<Ast> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom<Ast>({ lit: true }, { lit: false }, { ref: ["params", "on"] }, {
      call: "success",
    }, { call: "always" }),
    fc.record({ op: fc.constant("!" as const), a: tie("node") as fc.Arbitrary<Ast> }),
    fc.record({
      op: fc.constantFrom("&&" as const, "||" as const),
      l: tie("node") as fc.Arbitrary<Ast>,
      r: tie("node") as fc.Arbitrary<Ast>,
    }),
    fc.record({
      op: fc.constantFrom("==" as const, "!=" as const, "<" as const, ">=" as const),
      l: fc.oneof(
        fc.integer({ min: -5, max: 5 }).map((n): Ast => ({ lit: n })),
        fc.constant<Ast>({ ref: ["params", "n"] }),
      ),
      r: fc.oneof(
        fc.integer({ min: -5, max: 5 }).map((n): Ast => ({ lit: n })),
        fc.constant<Ast>({ ref: ["params", "x"] }),
      ),
    }),
    fc.record({
      op: fc.constant("in" as const),
      l: fc.string({ maxLength: 3 }).map((s): Ast => ({ lit: s })),
      r: fc.constant<Ast>({ ref: ["params", "s"] }),
    }),
  ),
})).node;

Deno.test("printExpr round-trips: compile(print(ast)) is the same AST", () => {
  fc.assert(
    fc.property(boolAst, (ast) => {
      const text = printExpr(ast);
      try {
        // (compared as JSON: fast-check builds records without a prototype)
        assertEquals(JSON.stringify(compileExpr(text, scope, where).ast), JSON.stringify(ast));
      } catch (error) {
        // Only the depth cap may refuse a generated tree.
        assert(error instanceof LilyError && error.code === "LILY-E0513", `${text}: ${error}`);
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("any input compiles or gives a LilyError, never another exception", () => {
  const tokens = fc.constantFrom(
    "params.n",
    "params.s",
    "(",
    ")",
    "[",
    "]",
    ",",
    "&&",
    "||",
    "!",
    "==",
    "<",
    "in",
    "'x'",
    '"',
    "1",
    "-",
    "-2.5e3",
    ".",
    "success()",
    "always(",
    "\\",
    "null",
    "steps.",
    "env.CI",
    " ",
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.array(tokens, { maxLength: 20 }).map((t) => t.join(" ")),
      ),
      (text) => {
        try {
          compileExpr(text, scope, where);
        } catch (error) {
          assert(error instanceof LilyError, `${JSON.stringify(text)}: ${error}`);
          assert(error.span && error.span.col >= where.col, "located");
        }
      },
    ),
    { numRuns: 2000 },
  );
});
