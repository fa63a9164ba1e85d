// Cost of compiling and of evaluating a compiled condition: `deno bench -A scripts/bench/expr_bench.ts`.
// The run stage evaluates one condition per step, so evaluation must stay in the µs range.
import { compileExpr, evaluateCondition } from "../../src/expr/mod.ts";
import { context, scope, where } from "../../tests/expr/_scope.ts";

const SOURCE = "params.on && steps.probe.outputs.frames >= 0 && 'gpu' in params.tags && " +
  "(vars.mode == 'fast' || env.CI != 'true') && !failure()";
const compiled = compileExpr(SOURCE, scope, where);
const stored = JSON.parse(JSON.stringify(compiled));
const ctx = context();

Deno.bench("evaluate a 7-operator condition from its stored AST (×10,000)", () => {
  for (let i = 0; i < 10_000; i++) evaluateCondition(stored, ctx);
});

Deno.bench("compile the same condition", () => {
  compileExpr(SOURCE, scope, where);
});
