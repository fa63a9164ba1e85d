// The loop driver alone (src/shell/control.ts): one place for the status of a loop and for
// `break N`/`continue N` from its head or its body. The scripts in tests/shell/commands/
// break_test.ts and continue_test.ts show the same through the interpreter.
import { assert, assertEquals } from "../_assert.ts";
import { type LoopStep, runLoop } from "../../src/shell/control.ts";
import { LoopControl } from "../../src/shell/types.ts";

/** Runs a loop whose head and body follow the given scripts, one entry per call. */
async function loop(heads: LoopStep[], bodies: (number | LoopControl)[]) {
  const host = { loopDepth: 0 };
  const depths: number[] = [];
  let h = 0, b = 0;
  const status = await runLoop(host, () => heads[h++] ?? "done", () => {
    depths.push(host.loopDepth);
    const next = bodies[b++];
    return next instanceof LoopControl ? Promise.reject(next) : Promise.resolve(next);
  });
  return { status, bodies: b, depth: host.loopDepth, depths };
}

Deno.test("control: a loop's status is its last round's; 0 when no round ran", async () => {
  assertEquals((await loop(["run", "run"], [3, 5])).status, 5);
  assertEquals((await loop([], [])).status, 0);
});

Deno.test("control: the body runs one level deeper, and the depth comes back", async () => {
  const result = await loop(["run"], [0]);
  assertEquals([result.depths, result.depth], [[1], 0]);
});

Deno.test("control: `break` in the body stops the loop with status 0", async () => {
  const result = await loop(["run", "run", "run"], [4, new LoopControl("break", 1), 9]);
  assertEquals([result.status, result.bodies], [0, 2]);
});

Deno.test("control: `continue` in the body gives the round status 0 and goes on", async () => {
  const result = await loop(["run", "run"], [new LoopControl("continue", 1), 6]);
  assertEquals([result.status, result.bodies], [6, 2]);
  assertEquals((await loop(["run"], [new LoopControl("continue", 1)])).status, 0);
});

Deno.test("control: `break`/`continue` from the head stop the loop or skip the body", async () => {
  assertEquals((await loop(["run", "break"], [4])).status, 0);
  const skipped = await loop(["run", "continue", "run"], [4, 5]);
  assertEquals([skipped.status, skipped.bodies], [5, 2]);
});

Deno.test("control: `break 2` leaves this loop as `break 1` for the enclosing one", async () => {
  let thrown: unknown;
  const host = { loopDepth: 0 };
  try {
    await runLoop(host, () => "run", () => Promise.reject(new LoopControl("break", 2)));
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof LoopControl);
  assertEquals([thrown.kind, thrown.levels, host.loopDepth], ["break", 1, 0]);
});
