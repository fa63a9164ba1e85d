// Property tests: printing round-trips, evaluation is deterministic, and no input — source
// text or run-time value — makes the language throw anything but a LilyError.
import assert from "node:assert/strict";
import fc from "fast-check";
import { LilyError } from "../../src/errors.ts";
import {
  type Ast,
  compileExpr,
  evaluateCondition,
  MAX_LENGTH,
  printExpr,
} from "../../src/expr/mod.ts";
import { context, scope, where } from "./_scope.ts";

/** Plain JSON (fast-check builds records without a prototype). */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

const anyString = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  // Any UTF-16 code units, lone surrogates and control characters included.
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 }).map((codes) =>
    String.fromCharCode(...codes)
  ),
);
const anyNumber = fc.oneof(
  fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const lit = <T extends string | number | boolean | null>(a: fc.Arbitrary<T>) =>
  a.map((value): Ast => ({ lit: value }));
const ref = (...names: string[]) =>
  fc.constantFrom(...names.map((n): Ast => ({ ref: n.split(".") })));

// Well-typed ASTs, by static type, so that every generated tree compiles (up to the caps).
const typed = fc.letrec((tie) => {
  const bool = tie("bool") as fc.Arbitrary<Ast>;
  const num = tie("num") as fc.Arbitrary<Ast>;
  const str = tie("str") as fc.Arbitrary<Ast>;
  const value = tie("value") as fc.Arbitrary<Ast>;
  const list = tie("list") as fc.Arbitrary<Ast>;
  return {
    num: fc.oneof(lit(anyNumber), ref("params.n", "params.x", "steps.probe.outputs.frames")),
    str: fc.oneof(
      lit(anyString),
      ref("params.s", "vars.mode", "env.CI", "steps.fetch_2.outputs.in"),
    ),
    list: fc.oneof(
      { depthSize: "small" },
      ref("params.tags"),
      fc.array(value, { maxLength: 3 }).map((items): Ast => ({ list: items })),
    ),
    value: fc.oneof(
      { depthSize: "small" },
      num,
      str,
      bool,
      list,
      lit(fc.constant(null)),
      ref("params.cfg", "params.nothing"),
    ),
    bool: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      lit(fc.boolean()),
      ref("params.on", "params.off", "params.cfg", "steps.probe.outputs.meta"),
      fc.constantFrom<Ast>(
        { call: "success" },
        { call: "failure" },
        { call: "always" },
        { call: "cancelled" },
      ),
      bool.map((a): Ast => ({ op: "!", a })),
      fc.record({ op: fc.constantFrom("&&" as const, "||" as const), l: bool, r: bool }),
      fc.record({ op: fc.constantFrom("==" as const, "!=" as const), l: value, r: value }),
      fc.record({
        op: fc.constantFrom("<" as const, "<=" as const, ">" as const, ">=" as const),
        l: num,
        r: num,
      }),
      fc.record({ op: fc.constantFrom("<" as const, ">=" as const), l: str, r: str }),
      fc.record({ op: fc.constant("in" as const), l: value, r: list }),
      fc.record({ op: fc.constant("in" as const), l: str, r: str }),
    ),
  };
});

function isCapError(error: unknown): boolean {
  return error instanceof LilyError && (error.code === "LILY-E0513" || error.code === "LILY-E0501");
}

Deno.test("property: compile(printExpr(ast)) gives back the same AST", () => {
  let compiled = 0, capped = 0;
  fc.assert(
    fc.property(typed.bool, (ast) => {
      const text = printExpr(ast);
      try {
        assert.deepEqual(json(compileExpr(text, scope, where).ast), json(ast), text);
        compiled++;
      } catch (error) {
        // Only the length and depth caps may refuse a generated tree.
        if (!isCapError(error)) throw error;
        capped++;
      }
    }),
    { numRuns: 1000 },
  );
  // The property is not vacuous: nearly every generated tree fits the caps.
  assert.ok(compiled > 20 * capped, `${compiled} compiled, ${capped} capped`);
});

Deno.test("property: printing a compiled expression is idempotent", () => {
  fc.assert(
    fc.property(typed.bool, (ast) => {
      const once = printExpr(ast);
      if (once.length > MAX_LENGTH) return;
      try {
        assert.equal(printExpr(compileExpr(once, scope, where).ast), once);
      } catch (error) {
        if (!isCapError(error)) throw error;
      }
    }),
    { numRuns: 500 },
  );
});

// Run-time values of every shape, for names typed `any` and for hostile lookups.
const runtimeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(undefined, Number.NaN, Infinity, -0, 10n, Symbol("s"), () => 1, new Map()),
);
const status = fc.record({ dependencyFailed: fc.boolean(), cancelled: fc.boolean() });

/**
 * A value for a failure message. `String(value)` throws for `{"toString": null}` or a record
 * without a prototype, which turned a correct LilyError into a failed property.
 */
function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** Boolean or LilyError, never another exception. */
function assertBooleanOrLily(
  ast: Ast,
  s: { dependencyFailed: boolean; cancelled: boolean },
  value: unknown,
): void {
  let compiled;
  try {
    compiled = compileExpr(printExpr(ast), scope, where);
  } catch (error) {
    if (isCapError(error)) return;
    throw error;
  }
  try {
    const result = evaluateCondition(compiled, { lookup: () => value, status: s });
    assert.equal(typeof result, "boolean");
  } catch (error) {
    assert.ok(error instanceof LilyError, `${printExpr(ast)} with ${show(value)}: ${error}`);
  }
}

Deno.test("property: evaluation is deterministic, also after the AST went through JSON", () => {
  fc.assert(
    fc.property(typed.bool, status, fc.dictionary(fc.string(), runtimeValue), (ast, s, extra) => {
      let compiled;
      try {
        compiled = compileExpr(printExpr(ast), scope, where);
      } catch (error) {
        if (isCapError(error)) return;
        throw error;
      }
      const ctx = context(s, { ...extra });
      const outcome = (c: typeof compiled) => {
        try {
          return evaluateCondition(c, ctx);
        } catch (error) {
          assert.ok(error instanceof LilyError, String(error));
          return error.code;
        }
      };
      const first = outcome(compiled);
      assert.equal(outcome(compiled), first);
      assert.equal(outcome({ ...compiled, ast: json(compiled.ast) as Ast }), first);
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: any run-time value gives a boolean or a LilyError", () => {
  fc.assert(fc.property(typed.bool, status, runtimeValue, assertBooleanOrLily), {
    numRuns: 1000,
    // The counterexample once found at random, kept as a fixed case.
    examples: [[{ ref: ["params", "cfg"] }, { dependencyFailed: false, cancelled: false }, {
      toString: null,
    }]],
  });
});

// Json values whose own keys are Object.prototype's member names, and records without a
// prototype, through every operator: each gives a boolean or a LilyError.
const prototypeNamed: unknown[] = [
  ...["toString", "valueOf", "constructor", "hasOwnProperty", "__proto__", "toJSON"].flatMap((
    k,
  ) => [
    JSON.parse(`{"${k}": null}`),
    JSON.parse(`{"${k}": {"a": 1}}`),
    JSON.parse(`{"${k}": [1, "x"]}`),
  ]),
  Object.create(null),
  Object.assign(Object.create(null), { a: 1 }),
  [JSON.parse('{"toString": null}')],
];

Deno.test("regression: prototype-named keys and prototype-less records never throw", () => {
  const conditions = [
    "params.cfg",
    "!params.cfg",
    "params.cfg && true",
    "params.cfg || false",
    "params.cfg == params.cfg",
    "params.cfg != null",
    "params.cfg == 'x'",
    "params.cfg in params.tags",
    "params.cfg in [params.cfg, 1]",
    "params.s in params.s",
    "params.s < 'a'",
    "params.n >= 1",
  ];
  let lilyErrors = 0, booleans = 0;
  for (const value of prototypeNamed) {
    for (const text of conditions) {
      const compiled = compileExpr(text, scope, where);
      assertBooleanOrLily(compiled.ast, { dependencyFailed: false, cancelled: false }, value);
      try {
        evaluateCondition(compiled, {
          lookup: () => value,
          status: { dependencyFailed: false, cancelled: false },
        });
        booleans++;
      } catch {
        lilyErrors++;
      }
    }
  }
  // Both outcomes occur: maps are equal to themselves, and are not booleans.
  assert.ok(booleans > 0 && lilyErrors > 0, `${booleans} booleans, ${lilyErrors} errors`);
});

const soupToken = fc.constantFrom(
  "params.n",
  "params.s",
  "params.on",
  "params.cfg",
  "params.token",
  "params.",
  "steps.probe.outputs.frames",
  "steps.",
  "steps.probe",
  "env.CI",
  "vars.mode",
  "foo",
  "(",
  ")",
  "[",
  "]",
  ",",
  ".",
  "&&",
  "||",
  "&",
  "|",
  "!",
  "==",
  "===",
  "!=",
  "=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "'x'",
  '"y"',
  "'",
  '"',
  "'\\u00e9'",
  "'\\q'",
  "\\",
  "1",
  "-",
  "-2.5e3",
  "1.",
  "007",
  "1e999",
  "true",
  "false",
  "null",
  "success()",
  "failure()",
  "always(",
  "cancelled()",
  "exec()",
  "valueOf",
  "constructor()",
  "__proto__",
  "params.__proto__",
  "steps.constructor.outputs.x",
  "\n",
  "\t",
  " ",
  "\u00a0",
  "😀",
  "\ud800",
);

function assertLilyOrCompiled(text: string): void {
  try {
    const compiled = compileExpr(text, scope, where);
    assert.equal(compiled.source, text);
    assert.equal(typeof printExpr(compiled.ast), "string");
  } catch (error) {
    assert.ok(error instanceof LilyError, `${JSON.stringify(text)}: ${error}`);
    const span = error.span!;
    assert.ok(span, `${JSON.stringify(text)}: no span`);
    assert.ok(span.line >= where.line && span.col >= 1 && (span.length ?? 1) >= 1, "located");
    if (!text.includes("\n")) {
      assert.equal(span.line, where.line);
      assert.ok(span.col >= where.col && span.col <= where.col + text.length, "inside");
    }
  }
}

Deno.test("fuzz: any string compiles or gives a located LilyError, never another exception", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.string({ unit: "binary", maxLength: 60 }),
        fc.array(soupToken, { maxLength: 30 }).map((t) => t.join(" ")),
        fc.array(soupToken, { maxLength: 30 }).map((t) => t.join("")),
      ),
      assertLilyOrCompiled,
    ),
    { numRuns: 5000 },
  );
});

Deno.test("fuzz: huge and deeply nested inputs give a LilyError, never a stack overflow", () => {
  for (
    const text of [
      "(".repeat(10_000) + "true" + ")".repeat(10_000),
      "(".repeat(10_000),
      ")".repeat(10_000),
      "!".repeat(100_000) + "true",
      "[".repeat(10_000) + "]".repeat(10_000),
      "!(".repeat(5000) + "true" + ")".repeat(5000),
      "'" + "x".repeat(1_000_000),
      "true && ".repeat(1000) + "true",
      Array(1365).fill("1").join("=="),
      Array(2048).fill("1").join(","),
    ]
  ) {
    assertLilyOrCompiled(text);
  }
});
