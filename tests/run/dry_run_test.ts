// The dry run decides through the run's own cache decision (cache_decision.ts): after a run,
// it says what is cached, what `--from` would re-run, and why a changed step would run.
import { assertEquals, assertMatch } from "../_assert.ts";
import { project, run } from "./_run.ts";

const FLOW = `petal: "1"
name: dry
params:
  n: {type: int, default: 2}
steps:
  - id: a
    uses: shell
    inputs: {n: {from: params.n}}
    with: {run: 'echo "doubled=$((LILY_INPUT_N * 2))" >> "$LILY_OUTPUT"'}
    outputs: {doubled: {type: int}}
  - id: b
    uses: shell
    needs: [a]
    inputs: {d: {from: steps.a.outputs.doubled}}
    with: {run: 'echo "$LILY_INPUT_D"'}
`;

Deno.test("--dry-run after a run: cached steps, and --from re-runs the step and its dependants", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    assertEquals((await run(dir)).code, 0);
    const cached = await run(dir, ["--dry-run"]);
    assertMatch(cached.stdout, /a: cached \([0-9a-f]{12}\)/);
    assertMatch(cached.stdout, /b: cached/);
    const from = await run(dir, ["--dry-run", "--from", "a"]);
    assertEquals(from.code, 0);
    assertMatch(from.stdout, /a: would run \(re-run requested \(--from a\)\)/);
    assertMatch(from.stdout, /b: would run after a/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
