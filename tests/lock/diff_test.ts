import { assertEquals, assertMatch } from "../_assert.ts";
import { composeSources } from "../../src/pipeline.ts";
import { diffLocks, formatDiff } from "../../src/lock/diff.ts";
import { tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: d
params:
  size: {type: int, default: 1}
  label: {type: str, default: x}
steps:
  - id: fetch
    uses: process
    with: {argv: [echo, fetch]}
    outputs: {data: {type: str}}
  - id: encode
    uses: shell
    needs: [fetch]
    inputs: {data: {from: steps.fetch.outputs.data}, size: {from: params.size}}
    with: {run: "echo encode"}
    outputs: {video: {type: str}}
  - id: thumbs
    uses: shell
    needs: [encode]
    inputs: {video: {from: steps.encode.outputs.video}}
    with: {run: "echo thumbs"}
  - id: notify
    uses: shell
    needs: [encode]
    with: {run: "echo done"}
`;

async function locks(a: string, b: string, paramsB: Record<string, string> = {}) {
  const dir = await tempProject({ "a.petal": a, "b.petal": b });
  try {
    const [la] = await composeSources(["a.petal"], { cwd: dir });
    const [lb] = await composeSources(["b.petal"], { cwd: dir, params: paramsB });
    return [la.lock, lb.lock] as const;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function statuses(impacts: { step: string; status: string }[]): Record<string, string> {
  return Object.fromEntries(impacts.map((i) => [i.step, i.status]));
}

Deno.test("identical locks: same, everything stays cached", async () => {
  const [a, b] = await locks(FLOW, FLOW);
  const diff = diffLocks(a, b);
  assertEquals(diff.same, true);
  assertEquals(new Set(diff.cache.map((i) => i.status)), new Set(["cached"]));
});

Deno.test("a param feeding an input re-runs only its readers; data dependents may re-run; ordering-only dependents stay cached", async () => {
  const [a, b] = await locks(FLOW, FLOW, { size: "2" });
  const diff = diffLocks(a, b);
  assertEquals(diff.params, [{ path: "params.size", before: 1, after: 2 }]);
  assertEquals(statuses(diff.cache), {
    fetch: "cached",
    encode: "reruns",
    thumbs: "may-rerun",
    notify: "cached",
  });
  const text = formatDiff(diff);
  assertMatch(text, /encode\s+re-runs: input `size`: `params.size` changed \(1 → 2\)/);
});

Deno.test("a changed command is shown field by field and names the key component", async () => {
  const [a, b] = await locks(FLOW, FLOW.replace("echo thumbs", "echo thumbnails"));
  const diff = diffLocks(a, b);
  assertEquals(diff.steps.changed.thumbs, [{
    path: "with.run",
    before: "echo thumbs",
    after: "echo thumbnails",
  }]);
  const thumbs = diff.cache.find((i) => i.step === "thumbs")!;
  assertEquals(thumbs.status, "reruns");
  assertMatch(JSON.stringify(thumbs), /the command/);
});

Deno.test("added and removed steps, and an unused param change keeps everything cached", async () => {
  const extra = FLOW + '  - {id: archive, uses: shell, with: {run: "echo a"}}\n';
  const [a, b] = await locks(
    FLOW,
    extra.replace(
      / {2}- id: notify[\s\S]*$/,
      '  - {id: archive, uses: shell, with: {run: "echo a"}}\n',
    ),
  );
  const diff = diffLocks(a, b);
  assertEquals(diff.steps.added, ["archive"]);
  assertEquals(diff.steps.removed, ["notify"]);
  const [c, d] = await locks(FLOW, FLOW, { label: "y" });
  const unused = diffLocks(c, d);
  assertEquals(unused.same, false);
  assertEquals(new Set(unused.cache.map((i) => i.status)), new Set(["cached"]));
});
