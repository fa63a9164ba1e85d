// Compose-time expansion of `uses: foreach` and `matrix`: the lock's sub-steps and collector,
// determinism, the cache keys, and positioned errors (LILY-E0959–E0968).
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { LilyError, LilyErrors } from "../../src/errors.ts";
import { composeSources } from "../../src/pipeline.ts";
import { ensureLocator } from "../../src/source/locate.ts";
import type { LockStep } from "../../src/schema/lock.ts";
import { tempProject } from "../_tools.ts";

async function compose(petal: string, params: Record<string, string> = {}) {
  const dir = await tempProject({ "flow.petal": petal, ".lilyrc": "# test\n" });
  try {
    const [point] = await composeSources(["flow.petal"], { cwd: dir, params });
    return point;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function errorsOf(petal: string): Promise<LilyError[]> {
  const dir = await tempProject({ "flow.petal": petal, ".lilyrc": "# test\n" });
  try {
    const error = await assertRejects(() => composeSources(["flow.petal"], { cwd: dir }));
    await ensureLocator();
    const list = error instanceof LilyErrors ? error.errors : [error as LilyError];
    for (const e of list) assert(e instanceof LilyError, String(e));
    // Positions are read while the file exists.
    for (const e of list) void e.span?.line;
    return list;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LIST = `petal: "1"
name: fe
params:
  files: {type: json, default: [a.txt, b.txt, c.txt]}
steps:
  - id: each
    uses: foreach
    with:
      items: params.files
      key: "{{ item }}"
      step:
        uses: shell
        with: {run: 'echo "n=$LILY_INPUT_ITEM {{ item }}" >> "$LILY_OUTPUT"'}
        outputs: {n: {type: str}}
  - id: after
    uses: shell
    needs: [each]
    inputs: {all: {from: steps.each.outputs.n, type: json}}
    with: {run: 'echo "$LILY_INPUT_ALL"'}
`;

function step(steps: LockStep[], id: string): LockStep {
  const found = steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${steps.map((s) => s.id)}`);
  return found;
}

Deno.test("items known at compose become id@key lock steps and a collector that needs them all", async () => {
  const { lock } = await compose(LIST);
  const steps = lock.plan.steps;
  assertEquals(steps.map((s) => s.id), ["each@a.txt", "each@b.txt", "each@c.txt", "each", "after"]);
  const b = step(steps, "each@b.txt");
  assertEquals(b.uses, "shell");
  assertEquals(b.env.LILY_INPUT_ITEM, "b.txt");
  // The item is rendered into the inner step's template, shell-quoted like any value.
  assert(String(b.with.run).includes("b.txt"), String(b.with.run));
  const collector = step(steps, "each");
  assertEquals(collector.uses, "foreach");
  assertEquals(collector.needs, ["each@a.txt", "each@b.txt", "each@c.txt"]);
  assertEquals(collector.with.keys, ["a.txt", "b.txt", "c.txt"]);
  assertEquals(collector.outputs.n.type, "json");
  assertEquals(collector.inputs.n__2.from, "steps.each@c.txt.outputs.n");
  assertEquals(step(steps, "after").needs, ["each"]);
  assertEquals(lock.plan.levels, [["each@a.txt", "each@b.txt", "each@c.txt"], ["each"], ["after"]]);
});

Deno.test("the lock is byte-identical across composes", async () => {
  const a = await compose(LIST);
  const b = await compose(LIST);
  assertEquals(a.text, b.text);
});

Deno.test("adding an item adds one sub-step and leaves every other sub-step's cache key as it was", async () => {
  const before = await compose(LIST);
  const after = await compose(LIST, { files: '["a.txt","b.txt","c.txt","d.txt"]' });
  const keys = (steps: LockStep[]) =>
    Object.fromEntries(steps.filter((s) => s.id.includes("@")).map((s) => [s.id, s.cache.static]));
  const k1 = keys(before.lock.plan.steps), k2 = keys(after.lock.plan.steps);
  assertEquals(Object.keys(k2).filter((id) => !(id in k1)), ["each@d.txt"]);
  for (const id of Object.keys(k1)) assertEquals(k2[id], k1[id], id);
  // Every sub-step has a key of its own: the item is a component of it.
  assertEquals(new Set(Object.values(k2)).size, 4);
  assert(step(after.lock.plan.steps, "each@a.txt").cache.components.item);
});

Deno.test("an item used only through $LILY_INPUT_ITEM still gives each sub-step its own key", async () => {
  const { lock } = await compose(`petal: "1"
name: fe
steps:
  - id: each
    uses: foreach
    with:
      items: [1, 2, {"x": 1}]
      step: {uses: shell, with: {run: 'echo "$LILY_INPUT_ITEM"'}}
`);
  const subs = lock.plan.steps.filter((s) => s.id.startsWith("each@"));
  assertEquals(subs.map((s) => s.id), ["each@0", "each@1", "each@2"]);
  assertEquals(subs.map((s) => s.env.LILY_INPUT_ITEM), ["1", "2", '{"x":1}']);
  assertEquals(new Set(subs.map((s) => s.cache.static)).size, 3);
});

Deno.test("items from a vars list (JSON text, rendered) and object items with a field key", async () => {
  const { lock } = await compose(`petal: "1"
name: fe
params:
  n: {type: int, default: 2}
vars:
  clips: '[{"name": "intro", "n": {{ params.n }}}, {"name": "outro", "n": 3}]'
steps:
  - id: cut
    uses: foreach
    with:
      items: vars.clips
      key: "{{ item.name }}"
      step:
        uses: shell
        with: {run: 'echo {{ item.name }} {{ item.n }}'}
`);
  assertEquals(lock.plan.steps.map((s) => s.id), ["cut@intro", "cut@outro", "cut"]);
  assertEquals(step(lock.plan.steps, "cut@intro").env.LILY_INPUT_ITEM, '{"name":"intro","n":2}');
});

Deno.test("matrix: GitHub's include/exclude semantics in the lock, keys from the values", async () => {
  const { lock } = await compose(`petal: "1"
name: m
steps:
  - id: test
    uses: foreach
    with:
      matrix:
        os: [linux, mac]
        py: ["3.11", "3.12"]
        exclude: [{os: mac, py: "3.11"}]
        include: [{os: linux, py: "3.12", extra: yes}, {os: bsd, py: "3.12"}]
      step:
        uses: shell
        with: {run: 'echo {{ item.os }} {{ item.py }}'}
`);
  const subs = lock.plan.steps.filter((s) => s.id.startsWith("test@"));
  assertEquals(subs.map((s) => s.id), [
    "test@bsd-3.12",
    "test@linux-3.11",
    "test@linux-3.12-yes",
    "test@mac-3.12",
  ]);
  const collector = step(lock.plan.steps, "test");
  assertEquals(collector.with.keys, ["linux-3.11", "linux-3.12-yes", "mac-3.12", "bsd-3.12"]);
  assertEquals(collector.with.fail_fast, true);
  assertEquals(
    JSON.parse(step(lock.plan.steps, "test@linux-3.12-yes").env.LILY_INPUT_ITEM),
    { os: "linux", py: "3.12", extra: "yes" },
  );
});

Deno.test("items from a step's json output leave a rule in the collector, no sub-steps", async () => {
  const { lock } = await compose(`petal: "1"
name: rt
steps:
  - id: list
    uses: shell
    with: {run: 'echo "files=[1,2]" >> "$LILY_OUTPUT"'}
    outputs: {files: {type: json}}
  - id: each
    uses: foreach
    with:
      items: steps.list.outputs.files
      max_parallel: 2
      step:
        uses: shell
        with: {run: 'echo "$LILY_INPUT_ITEM"'}
`);
  assertEquals(lock.plan.steps.map((s) => s.id), ["list", "each"]);
  assertEquals(lock.plan.levels, [["list"], ["each"]]);
  const collector = step(lock.plan.steps, "each");
  assertEquals(collector.needs, ["list"]);
  assertEquals(collector.inputs.items.from, "steps.list.outputs.files");
  const rule = collector.with.rule as { key: string; step: LockStep };
  assertEquals(rule.key, "{{ index }}");
  assertEquals(rule.step.uses, "shell");
  assertEquals(rule.step.with.run, 'echo "$LILY_INPUT_ITEM"');
  assertEquals(collector.with.max_parallel, 2);
});

const BAD_HEAD = `petal: "1"
name: bad
params:
  n: {type: int, default: 1}
  files: {type: json, default: [a, a]}
steps:
  - id: list
    uses: shell
    with: {run: "true"}
    outputs: {text: {type: str}, list: {type: json}}
`;

const CASES: [string, string, string, number][] = [
  ["no with.step", "LILY-E0959", `  - id: x\n    uses: foreach\n    with: {items: [1]}\n`, 13],
  [
    "a field of the inner step on the foreach",
    "LILY-E0959",
    `  - id: x\n    uses: foreach\n    timeout: 1s\n    with: {items: [1], step: {uses: shell, with: {run: "true"}}}\n`,
    13,
  ],
  [
    "no items",
    "LILY-E0960",
    `  - id: x\n    uses: foreach\n    with: {step: {uses: shell, with: {run: "true"}}}\n`,
    13,
  ],
  [
    "an items param that does not exist",
    "LILY-E0961",
    `  - id: x\n    uses: foreach\n    with:\n      items: params.nope\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "an items param that is not a list",
    "LILY-E0962",
    `  - id: x\n    uses: foreach\n    with:\n      items: params.n\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "a step output that is not json",
    "LILY-E0962",
    `  - id: x\n    uses: foreach\n    with:\n      items: steps.list.outputs.text\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "duplicate keys",
    "LILY-E0964",
    `  - id: x\n    uses: foreach\n    with:\n      items: [a, b, a]\n      key: "{{ item }}"\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "a key unsafe in a file name",
    "LILY-E0963",
    `  - id: x\n    uses: foreach\n    with:\n      items: [ok, "../up"]\n      key: "{{ item }}"\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "a bad matrix axis",
    "LILY-E0965",
    `  - id: x\n    uses: foreach\n    with:\n      matrix: {os: []}\n      step: {uses: shell, with: {run: "true"}}\n`,
    14,
  ],
  [
    "max_parallel zero",
    "LILY-E0966",
    `  - id: x\n    uses: foreach\n    with:\n      items: [1]\n      max_parallel: 0\n      step: {uses: shell, with: {run: "true"}}\n`,
    15,
  ],
  [
    "item in a template of a run-time foreach",
    "LILY-E0967",
    `  - id: x\n    uses: foreach\n    with:\n      items: steps.list.outputs.list\n      step: {uses: shell, with: {run: "echo {{ item }}"}}\n`,
    15,
  ],
  [
    "a key filter",
    "LILY-E0968",
    `  - id: x\n    uses: foreach\n    with:\n      items: [1]\n      key: "{{ item | upper }}"\n      step: {uses: shell, with: {run: "true"}}\n`,
    15,
  ],
];

for (const [what, code, text, line] of CASES) {
  Deno.test(`error: ${what} is ${code} at its line`, async () => {
    const errors = await errorsOf(BAD_HEAD + text);
    const found = errors.find((e) => e.code === code);
    assert(found, `${code} not in ${errors.map((e) => `${e.code} ${e.message}`).join("; ")}`);
    assertEquals(found.span?.file.endsWith("flow.petal"), true);
    assertEquals(found.span?.line, line, `${found.message}`);
    assert(found.hint, "a hint");
  });
}

Deno.test("an error inside the inner step points into the inner step", async () => {
  const errors = await errorsOf(`petal: "1"
name: bad
steps:
  - id: x
    uses: foreach
    with:
      items: [1, 2]
      step:
        uses: shell
        needs: [nowhere]
        with: {run: "true"}
`);
  // Once, not once per item, with a note for the others.
  assertEquals(errors.length, 1, errors.map((e) => e.message).join("; "));
  assertEquals(errors[0].span?.line, 10, errors[0].message);
  assertEquals(errors[0].notes.map((n) => n.message), [
    "the same for 1 more item(s) of this foreach",
  ]);
});

Deno.test("E0967: `item` in a run-time foreach's template points at the placeholder", async () => {
  const one = await errorsOf(
    BAD_HEAD +
      `  - id: x\n    uses: foreach\n    with:\n      items: steps.list.outputs.list\n      step: {uses: shell, with: {run: "echo {{ item }}"}}\n`,
  );
  assertEquals(one.map((e) => [e.code, e.span?.line, e.span?.col, e.span?.length]), [
    ["LILY-E0967", 15, 45, 10],
  ]);
  const block = await errorsOf(
    BAD_HEAD +
      `  - id: x\n    uses: foreach\n    with:\n      items: steps.list.outputs.list\n      step:\n        uses: shell\n        with:\n          run: |\n            echo start\n            echo "{{ item.name }}"\n`,
  );
  assertEquals(block.map((e) => [e.code, e.span?.line, e.span?.col, e.span?.length]), [
    ["LILY-E0967", 20, 19, 15],
  ]);
});

Deno.test("E0963: an item without the key's field is named, at the item", async () => {
  const errors = await errorsOf(
    BAD_HEAD +
      `  - id: x\n    uses: foreach\n    with:\n      items: [{name: a}, {nom: b}]\n      key: "{{ item.name }}"\n      step: {uses: shell, with: {run: "true"}}\n`,
  );
  assertEquals(errors.map((e) => [e.code, e.span?.line, e.message]), [
    ["LILY-E0963", 14, "item 1 of `x` has no field `name` (the key is `{{ item.name }}`)"],
  ]);
});

Deno.test("a template error in the inner step is reported once, naming the items", async () => {
  const errors = await errorsOf(`petal: "1"
name: gh
steps:
  - id: test
    uses: foreach
    with:
      matrix: { os: [a, b, c], py: ["3.11", "3.12"] }
      step:
        uses: shell
        with: { run: 'echo "{{ item }}"' }
  - id: one
    uses: foreach
    with:
      items: [{ x: 1 }]
      step: { uses: shell, with: { run: 'echo "{{ item }}"' } }
`);
  assertEquals(errors.map((e) => [e.code, e.span?.line]), [
    ["LILY-E0406", 10],
    ["LILY-E0406", 15],
  ]);
  assertEquals(errors.map((e) => e.notes.map((n) => n.message)), [
    [
      "the same in 6 items of foreach `test`: `test@a-3.11`, `test@a-3.12`, `test@b-3.11`, " +
      "`test@b-3.12`, `test@c-3.11` and `test@c-3.12`",
    ],
    ["in item `one@0` of foreach `one`"],
  ]);
});

Deno.test("an inner step may not declare an input named item (it is $LILY_INPUT_ITEM)", async () => {
  const errors = await errorsOf(`petal: "1"
name: bad
steps:
  - id: x
    uses: foreach
    with:
      items: [1]
      step:
        uses: shell
        inputs: {item: {path: a.txt}}
        with: {run: "true"}
`);
  assertEquals(errors.map((e) => [e.code, e.span?.line]), [["LILY-E0967", 10]]);
});

Deno.test("foreach and include: neither nests in the other yet, refused where written", async () => {
  const dir = await tempProject({
    ".lilyrc": "# test\n",
    "fragments/frag.petal":
      `petal: "1"\nname: frag\nsteps:\n  - id: each\n    uses: foreach\n    with:\n      items: [a]\n      step: {uses: shell, with: {run: "true"}}\n`,
    "fragments/one.petal":
      `petal: "1"\nname: one\nsteps:\n  - id: say\n    uses: shell\n    with: {run: "true"}\n`,
    "inc.petal":
      `petal: "1"\nname: top\nsteps:\n  - id: inc\n    uses: include\n    with: {petal: fragments/frag.petal}\n`,
    "per.petal":
      `petal: "1"\nname: top\nsteps:\n  - id: x\n    uses: foreach\n    with:\n      items: [a]\n      step: {uses: include, with: {petal: fragments/one.petal}}\n`,
  });
  try {
    for (
      const [file, where, line] of [["inc.petal", "frag.petal", 5], [
        "per.petal",
        "per.petal",
        8,
      ]] as const
    ) {
      const error = await assertRejects(() => composeSources([file], { cwd: dir }));
      const list = error instanceof LilyErrors ? error.errors : [error as LilyError];
      assertEquals(list.map((e) => e.code), ["LILY-E0967"], file);
      assert(list[0].span?.file.endsWith(where), list[0].span?.file);
      assertEquals(list[0].span?.line, line);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
