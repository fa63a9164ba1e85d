import assert from "node:assert/strict";
import { compileExpr, evaluateCondition, type Status } from "../../src/expr/mod.ts";
import { context, scope, where } from "./_scope.ts";

const OK = { dependencyFailed: false, cancelled: false };
const FAILED = { dependencyFailed: true, cancelled: false };
const CANCELLED = { dependencyFailed: false, cancelled: true };
const BOTH = { dependencyFailed: true, cancelled: true };

function statusOf(source: string): Status {
  return compileExpr(source, scope, where).status;
}

function runsWhen(source: string): string[] {
  const compiled = compileExpr(source, scope, where);
  const situations = { ok: OK, failed: FAILED, cancelled: CANCELLED, both: BOTH };
  return Object.entries(situations)
    .filter(([, status]) => evaluateCondition(compiled, context(status)))
    .map(([name]) => name);
}

Deno.test("status: without a status function, success() is implied", () => {
  assert.equal(statusOf("params.on"), "success");
  assert.deepEqual(runsWhen("params.on"), ["ok"]);
  assert.deepEqual(runsWhen("true"), ["ok"]);
});

Deno.test("status: implied success() skips evaluation (no run-time type error after a failure)", () => {
  const compiled = compileExpr("steps.probe.outputs.meta", scope, where);
  const ctx = context(FAILED, { "steps.probe.outputs.meta": "not a boolean" });
  assert.equal(evaluateCondition(compiled, ctx), false);
});

Deno.test("status: success() is true only when nothing failed and the run is not cancelled", () => {
  assert.equal(statusOf("success()"), "success");
  assert.deepEqual(runsWhen("success()"), ["ok"]);
});

Deno.test("status: failure() runs after a failed dependency", () => {
  assert.equal(statusOf("failure()"), "failure");
  assert.deepEqual(runsWhen("failure()"), ["failed", "both"]);
});

Deno.test("status: cancelled() runs while the run is cancelled", () => {
  assert.equal(statusOf("cancelled()"), "cancelled");
  assert.deepEqual(runsWhen("cancelled()"), ["cancelled", "both"]);
});

Deno.test("status: always() runs in every situation", () => {
  assert.equal(statusOf("always()"), "always");
  assert.deepEqual(runsWhen("always()"), ["ok", "failed", "cancelled", "both"]);
  assert.equal(statusOf("always() && params.on"), "always");
});

Deno.test("status: decided by the situations the expression can be true in", () => {
  const cases: [string, Status][] = [
    ["failure() || always()", "always"],
    ["failure() && params.on", "failure"],
    ["always() && !cancelled()", "failure"],
    ["!cancelled()", "failure"],
    ["!success()", "always"],
    ["success() || failure()", "failure"],
    ["success() && params.on", "success"],
    ["failure() || cancelled()", "always"],
    ["always() && false", "success"],
    ["failure() == true", "failure"],
    ["failure() == params.on", "always"],
    ["cancelled() && !failure()", "cancelled"],
    ["cancelled() && failure()", "cancelled"],
  ];
  for (const [source, status] of cases) assert.equal(statusOf(source), status, source);
});

Deno.test("status: a negated status function means what it says (no implied success())", () => {
  assert.deepEqual(runsWhen("!success()"), ["failed", "cancelled", "both"]);
  assert.deepEqual(runsWhen("always() && !cancelled()"), ["ok", "failed"]);
  assert.deepEqual(runsWhen("success() || failure()"), ["ok", "failed", "both"]);
});

Deno.test("status: the evaluator's result never depends on how the status was decided", () => {
  // For each expression, evaluating with its status equals evaluating the expression alone
  // (status functions used) or with success() ANDed in (none used).
  for (
    const source of [
      "failure() && params.on",
      "!success()",
      "success() && params.on",
      "cancelled() || params.off",
      "always() && false",
      "cancelled() && failure()",
      "!cancelled()",
    ]
  ) {
    const compiled = compileExpr(source, scope, where);
    for (const status of [OK, FAILED, CANCELLED, BOTH]) {
      const plain = evaluateCondition({ ast: compiled.ast, status: "always" }, context(status));
      assert.equal(evaluateCondition(compiled, context(status)), plain, source);
    }
  }
});
