// "Why did it run" compares a step with the last entry of the same workflow's step, not with a
// step of the same id in another workflow of the project (found by a new-user trial).
import { assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

function flow(name: string, word: string): string {
  return `petal: "1"
name: ${name}
steps:
  - id: count
    uses: shell
    with: {run: "echo n=${word} >> \\"$LILY_OUTPUT\\""}
    outputs: {n: {type: str}}
`;
}

/** The reason of the `count` step's cache miss, from the run's events. */
async function missReason(dir: string, file: string): Promise<string> {
  const out = await lily(["run", file, "--isolation", "none", "--events", "-"], { cwd: dir });
  assertEquals(out.code, 0, out.stderr);
  const miss = out.stdout.trim().split("\n").map((line) => JSON.parse(line))
    .find((e) => e.type === "step.cache_miss" && e.step === "count");
  return String(miss?.reason);
}

Deno.test("a miss is explained against the same workflow's last entry, never another's", async () => {
  const dir = await tempProject({
    "a.petal": flow("first", "one"),
    "b.petal": flow("second", "two"),
  });
  try {
    assertEquals(await missReason(dir, "a.petal"), "no entry for this step yet");
    // Another workflow's `count` ran before: still no entry for this one.
    assertEquals(await missReason(dir, "b.petal"), "no entry for this step yet");
    // The same workflow, changed: compared with its own last entry.
    await Deno.writeTextFile(`${dir}/a.petal`, flow("first", "three"));
    assertMatch(await missReason(dir, "a.petal"), /^changed since the last entry: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
