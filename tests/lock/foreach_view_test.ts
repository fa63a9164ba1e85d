// explain and diff show foreach steps: the items (or the run-time rule), each sub-step's item,
// the items added and removed between two locks.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { composeSources } from "../../src/pipeline.ts";
import { diffLocks, formatDiff } from "../../src/lock/diff.ts";
import { explainJson, explainText } from "../../src/lock/explain.ts";
import { tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: v
params:
  files: {type: json, default: [a, b, c]}
steps:
  - id: list
    uses: shell
    with: {run: 'echo "xs=[1]" >> "$LILY_OUTPUT"'}
    outputs: {xs: {type: json}}
  - id: each
    uses: foreach
    with:
      items: params.files
      key: "{{ item }}"
      max_parallel: 2
      step: {uses: shell, with: {run: 'echo "$LILY_INPUT_ITEM"'}}
  - id: later
    uses: foreach
    with:
      items: steps.list.outputs.xs
      step: {uses: shell, with: {run: 'echo "late $LILY_INPUT_ITEM"'}}
`;

async function lock(params: Record<string, string> = {}) {
  const dir = await tempProject({ "flow.petal": FLOW, ".lilyrc": "# t\n" });
  try {
    return (await composeSources(["flow.petal"], { cwd: dir, params }))[0].lock;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("explain shows a foreach's items, its limits, a sub-step's item and a run-time rule", async () => {
  const text = explainText(await lock());
  assertMatch(text, /foreach over params\.files: 3 items: a, b, c · max_parallel 2/);
  assertMatch(text, /each@b {2}shell[^\n]*\n {6}item of `each`: b/);
  assertMatch(
    text,
    /foreach over steps\.list\.outputs\.xs \(known at run time; keys `\{\{ index \}\}`\)/,
  );
  assertMatch(text, /each item: shell {2}echo "late \$LILY_INPUT_ITEM"/);
  const json = explainJson(await lock()) as { steps: { id: string; foreach?: unknown }[] };
  assertEquals(json.steps.find((s) => s.id === "each")?.foreach, {
    source: "params.files",
    at: "compose",
    keys: ["a", "b", "c"],
    max_parallel: 2,
    fail_fast: false,
  });
});

Deno.test("diff lists the items added and removed, and only the new item's sub-step runs", async () => {
  const diff = diffLocks(await lock(), await lock({ files: '["a","c","d"]' }));
  assertEquals(diff.foreach, [{ step: "each", added: ["d"], removed: ["b"] }]);
  const text = formatDiff(diff);
  assertMatch(text, /foreach items\n {2}each: \+d -b/);
  const status = Object.fromEntries(diff.cache.map((i) => [i.step, i.status]));
  assertEquals(status["each@a"], "cached");
  assertEquals(status["each@c"], "cached");
  assertEquals(status["each@d"], "added");
  assertEquals(status["each@b"], "removed");
  assert(!diff.foreach.some((f) => f.step === "later"));
});
