// Workflow-level `outputs:` (issue 9 §6): checked at compose against the steps' declared
// outputs (positioned errors, all of them), and recorded with their values in the manifest.
import { assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const STEPS = `petal: "1"
name: results
steps:
  - id: count
    uses: shell
    outputs: {n: {type: int}, label: {type: str}}
    with: {run: 'echo "n=3" >> "$LILY_OUTPUT"; echo "label=three" >> "$LILY_OUTPUT"'}
`;

Deno.test("workflow outputs that name a missing step, output or wrong type are compose errors", async () => {
  const dir = await tempProject({
    "flow.petal": STEPS + `outputs:
  - total: steps.cuont.outputs.n
    name: steps.count.outputs.labl
    ratio: {from: steps.count.outputs.label, type: int}
    bad: just text
`,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(out.code, 2);
    assertMatch(
      out.stderr,
      /error\[LILY-E0323\]: workflow output `total` reads from step `cuont`, which is not defined\n\s+--> flow\.petal:9:12\n[^]*hint: defined steps: `count`/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0324\]: workflow output `name`: step `count` declares no output `labl`\n\s+--> flow\.petal:10:11\n[^]*did you mean `steps\.count\.outputs\.label`\?/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0325\]: workflow output `ratio` is `int`, but `steps\.count\.outputs\.label` is `str`\n\s+--> flow\.petal:11:52/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0322\]: workflow output `bad` must name a step output\n\s+--> flow\.petal:12:10/,
    );
    assertMatch(out.stderr, /\n4 errors/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workflow outputs are normalized in the lock and recorded in the run manifest", async () => {
  const dir = await tempProject({
    "flow.petal": STEPS + `outputs:
  - total: steps.count.outputs.n
    share: {from: steps.count.outputs.n, type: float}
  - label: {from: steps.count.outputs.label}
`,
  });
  try {
    const out = await lily(["compose", "flow.petal"], { cwd: dir });
    assertEquals(out.code, 0, out.stderr);
    const lock = await Deno.readTextFile(`${dir}/locks/flow.petal.lock.yaml`);
    assertMatch(lock, /total:\n\s+from: steps\.count\.outputs\.n\n\s+type: int/);
    assertMatch(lock, /share:\n\s+from: steps\.count\.outputs\.n\n\s+type: float/);
    const ran = await lily(["run", "locks/flow.petal.lock.yaml"], { cwd: dir });
    assertEquals(ran.code, 0, ran.stdout + ran.stderr);
    const [run] = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/.lily/runs/${run}/manifest.json`));
    assertEquals(manifest.outputs, {
      total: { from: "steps.count.outputs.n", type: "int", value: 3 },
      share: { from: "steps.count.outputs.n", type: "float", value: 3 },
      label: { from: "steps.count.outputs.label", type: "str", value: "three" },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
