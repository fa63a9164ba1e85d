// Names that Object.prototype also has (`constructor`, `toString`, `__proto__`…) are not
// declared names: a condition that reads one is refused at compose, and a value from a lock
// never reads Object.prototype's member at run time (a hand-edited lock is refused by its hash).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

const NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"];

Deno.test("compose refuses params/vars/outputs named like Object.prototype's members", async () => {
  const conditions = NAMES.flatMap((n) => [
    `params.${n} == 'x'`,
    `vars.${n} == 'x'`,
    `steps.a.outputs.${n} == 'x'`,
  ]);
  const steps = conditions.map((c, i) =>
    `  - id: s${i}\n    uses: shell\n    needs: [a]\n    if: "${c}"\n    with: {run: "true"}\n`
  ).join("");
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: proto
params: {p: {type: str, default: "x"}}
vars: {k: v}
steps:
  - id: a
    uses: shell
    outputs: {meta: {type: json}}
    with: {run: "true"}
${steps}`,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assert(out.code !== 0, out.stderr);
    for (const c of conditions) {
      const name = c.split(" ")[0];
      assertMatch(out.stderr, new RegExp(`\`${name.replaceAll(".", "\\.")}\` is not defined`));
    }
    assertMatch(out.stderr, new RegExp(`${conditions.length} errors`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a json output with prototype-named keys compares as plain data in `if:`", async () => {
  const meta = JSON.stringify({ toString: null, valueOf: 1, constructor: "c", __proto__: [1] })
    .replaceAll('"', '\\"');
  const dir = await project({
    "flow.petal": `petal: "1"
name: proto
steps:
  - id: a
    uses: shell
    outputs: {meta: {type: json}}
    with: {run: "echo 'meta=${meta}' >> \\"$LILY_OUTPUT\\""}
  - id: same
    needs: [a]
    uses: shell
    if: "steps.a.outputs.meta == steps.a.outputs.meta && steps.a.outputs.meta in [steps.a.outputs.meta]"
    with: {run: "true"}
  - id: differ
    needs: [a]
    uses: shell
    if: "steps.a.outputs.meta != steps.a.outputs.meta || steps.a.outputs.meta == [1]"
    with: {run: "true"}
`,
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.same.status, "succeeded");
    assertEquals(m.steps.differ.status, "skipped");
    assert(!/TypeError|Cannot convert/.test(out.stderr), out.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("outputs named like Object.prototype's members are read only if the step wrote them", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: proto
steps:
  - id: a
    uses: shell
    outputs:
      toString: {type: json, required: false}
      constructor: {type: file, required: false}
      hasOwnProperty: {type: str}
    with: {run: "echo 'hasOwnProperty=1' >> \\"$LILY_OUTPUT\\"; echo '__proto__=x' >> \\"$LILY_OUTPUT\\""}
  - id: b
    uses: shell
    needs: [a]
    outputs: {valueOf: {type: json}}
    with: {run: "true"}
`,
  });
  try {
    const out = await run(dir);
    const m = latestManifest(dir);
    assertEquals(m.steps.a.status, "succeeded", out.stderr);
    assertEquals(m.steps.a.outputs, { hasOwnProperty: { type: "str", value: "1" } });
    assertEquals(m.steps.b.status, "failed");
    assertMatch(m.steps.b.error, /declared output `valueOf` was not written: append/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
