// foreach through the real CLI: collected outputs, the cache per item, run-time expansion from a
// real step's json output, max_parallel (seen in the events), --only id@key, fail_fast.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { latestEvents, latestManifest, project, run } from "./_run.ts";

async function withProject(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
  params: string[] = [],
) {
  const dir = await project({ ".lilyrc": "# test\n", ...files }, params);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LIST = `petal: "1"
name: fe
params:
  words: {type: json, default: [kiwi, fig, banana]}
steps:
  - id: len
    uses: foreach
    with:
      items: params.words
      key: "{{ item }}"
      step:
        uses: shell
        with: {run: 'echo "n=\${#LILY_INPUT_ITEM}" >> "$LILY_OUTPUT"; echo "w={{ item }}" >> "$LILY_OUTPUT"'}
        outputs: {n: {type: int}, w: {type: str}}
  - id: total
    uses: shell
    needs: [len]
    inputs: {ns: {from: steps.len.outputs.n, type: json}}
    with: {run: 'echo "all=$LILY_INPUT_NS" >> "$LILY_OUTPUT"'}
    outputs: {all: {type: json}}
`;

function ran(dir: string): string[] {
  return latestEvents(dir).filter((e) => e.type === "step.started").map((e) => String(e.step));
}

Deno.test("the collector's outputs are the items' outputs in item order, typed", async () => {
  await withProject({ "flow.petal": LIST }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.len.outputs.n.value, [4, 3, 6]);
    assertEquals(m.steps.len.outputs.w.value, ["kiwi", "fig", "banana"]);
    assertEquals(m.steps.total.outputs.all.value, [4, 3, 6]);
    assertEquals(m.steps["len@fig"].outputs.n.value, 3);
  });
});

Deno.test("adding one item runs exactly one sub-step; the others are cache hits", async () => {
  await withProject({ "flow.petal": LIST }, async (dir) => {
    assertEquals((await run(dir)).code, 0);
    const again = await lily(
      [
        "compose",
        "flow.petal",
        "-o",
        "flow.lock.yaml",
        "-q",
        "-p",
        'words=["kiwi","fig","banana","plum"]',
      ],
      { cwd: dir },
    );
    assertEquals(again.code, 0, again.stderr);
    assertEquals((await run(dir)).code, 0);
    const m = latestManifest(dir);
    const subs = Object.entries(m.steps).filter(([id]) => id.startsWith("len@"));
    assertEquals(
      subs.filter(([, s]) => (s as { status: string }).status === "succeeded").map(([id]) => id),
      ["len@plum"],
    );
    assertEquals(subs.filter(([, s]) => (s as { status: string }).status === "cached").length, 3);
    assertEquals(m.steps.len.outputs.n.value, [4, 3, 6, 4]);
  });
});

Deno.test("--only id@key runs that item alone; --only id runs every item", async () => {
  await withProject({ "flow.petal": LIST }, async (dir) => {
    const one = await run(dir, ["--only", "len@fig"]);
    assertEquals(one.code, 0, one.stderr);
    assertEquals(ran(dir), ["len@fig"]);
    const all = await run(dir, ["--only", "len"]);
    assertEquals(all.code, 0, all.stderr);
    assertEquals(ran(dir).sort(), ["len", "len@banana", "len@kiwi"]); // fig: a cache hit
    assertEquals(latestManifest(dir).steps.total.status, "skipped");
  });
});

const RUNTIME = `petal: "1"
name: rt
params:
  n: {type: int, default: 3}
steps:
  - id: list
    uses: shell
    inputs: {n: {from: params.n}}
    with:
      run: |
        items="["
        i=0
        while [ "$i" -lt "$LILY_INPUT_N" ]; do
          if [ "$i" -gt 0 ]; then items="$items,"; fi
          items="$items{\\"name\\": \\"f$i\\"}"
          i=$((i + 1))
        done
        echo "files=$items]" >> "$LILY_OUTPUT"
    outputs: {files: {type: json}}
  - id: each
    uses: foreach
    with:
      items: steps.list.outputs.files
      key: "{{ item.name }}"
      max_parallel: 2
      step:
        uses: shell
        with: {run: 'echo "got=$LILY_INPUT_ITEM" >> "$LILY_OUTPUT"'}
        outputs: {got: {type: json}}
  - id: after
    uses: shell
    needs: [each]
    inputs: {got: {from: steps.each.outputs.got, type: json}}
    with: {run: 'echo "$LILY_INPUT_GOT"'}
`;

Deno.test("items from a real step's json output are expanded at run time and recorded", async () => {
  await withProject({ "flow.petal": RUNTIME }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    const events = latestEvents(dir);
    const expanded = events.find((e) => e.type === "foreach.expanded");
    assert(expanded, "a foreach.expanded event");
    assertEquals(expanded.step, "each");
    assertEquals(expanded.keys, ["f0", "f1", "f2"]);
    const m = latestManifest(dir);
    assertEquals(m.steps.each.foreach, {
      source: "steps.list.outputs.files",
      keys: ["f0", "f1", "f2"],
    });
    assertEquals(m.steps.each.outputs.got.value, [{ name: "f0" }, { name: "f1" }, { name: "f2" }]);
    assertEquals(m.steps["each@f1"].status, "succeeded");
    assertEquals(m.steps.after.status, "succeeded");
    // The expansion happened after the producer finished, the items after the expansion.
    const seq = (type: string, step: string) =>
      events.findIndex((e) => e.type === type && e.step === step);
    assert(seq("step.finished", "list") < seq("foreach.expanded", "each"));
    assert(seq("foreach.expanded", "each") < seq("step.started", "each@f0"));
    // Again: the same items are cache hits, and are expanded again (recorded again).
    assertEquals((await run(dir)).code, 0);
    const second = latestManifest(dir);
    assertEquals(second.steps["each@f2"].status, "cached");
    assert(latestEvents(dir).some((e) => e.type === "foreach.expanded"));
  });
});

Deno.test("max_parallel: never more items of one foreach running at once than allowed (events)", async () => {
  await withProject({ "flow.petal": RUNTIME }, async (dir) => {
    const out = await run(dir, ["-j", "4"]);
    assertEquals(out.code, 0, out.stderr);
    let running = 0, peak = 0;
    for (const e of latestEvents(dir)) {
      if (!String(e.step ?? "").startsWith("each@")) continue;
      if (e.type === "step.started") peak = Math.max(peak, ++running);
      if (["step.finished", "step.failed", "step.cancelled"].includes(String(e.type))) running--;
    }
    assert(peak >= 1 && peak <= 2, `peak ${peak}`);
  }, ["-p", "n=6"]);
});

Deno.test("a run-time list that is not a list fails the foreach with a clear reason", async () => {
  await withProject({
    "flow.petal": RUNTIME.replace(
      'echo "files=$items]" >> "$LILY_OUTPUT"',
      'echo "files={\\"a\\": 1}" >> "$LILY_OUTPUT"',
    ),
  }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertEquals(m.steps.each.status, "failed");
    assertMatch(m.steps.each.error, /is not a list/);
  });
});

Deno.test("a run-time item without the key's field fails the foreach naming the field", async () => {
  await withProject({
    "flow.petal": RUNTIME.replace(
      'echo "files=$items]" >> "$LILY_OUTPUT"',
      'echo "files=[{\\"name\\": \\"a\\"}, {\\"nom\\": \\"b\\"}]" >> "$LILY_OUTPUT"',
    ),
  }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.each.status, "failed");
    assertMatch(
      m.steps.each.error,
      /item 1 has no field `name` \(the key is `\{\{ item\.name \}\}`\)/,
    );
  });
});

Deno.test("--only id@key of a run-time foreach says its items exist only at run time", async () => {
  await withProject({ "flow.petal": RUNTIME }, async (dir) => {
    const out = await run(dir, ["--only", "each@f1"]);
    assertEquals(out.code, 2, out.stdout + out.stderr);
    const text = out.stdout + out.stderr;
    assert(text.includes("an item of foreach `each`, whose items exist only at run time"), text);
    assert(text.includes("`--only each` runs them all"), text);
  });
});

const MATRIX = (failFast: boolean) =>
  `petal: "1"
name: mx
steps:
  - id: test
    uses: foreach
    with:
      matrix: {n: [bad, ok1, ok2]}
      max_parallel: 1
      fail_fast: ${failFast}
      step:
        uses: shell
        with: {run: 'test "$LILY_INPUT_ITEM" != "{\\"n\\":\\"bad\\"}"'}
  - id: other
    uses: shell
    with: {run: "true"}
`;

Deno.test("fail_fast true: a failed item cancels the other items of its matrix, not the run", async () => {
  await withProject({ "flow.petal": MATRIX(true) }, async (dir) => {
    const out = await run(dir, ["--continue", "always", "-j", "1"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertEquals(m.steps["test@bad"].status, "failed");
    assertEquals(m.steps["test@ok1"].status, "cancelled");
    assertEquals(m.steps["test@ok2"].status, "cancelled");
    assertMatch(
      m.steps["test@ok1"].reason,
      /item `test@bad` of foreach `test` failed \(fail_fast\)/,
    );
    assertEquals(m.steps.other.status, "succeeded");
  });
});

Deno.test("fail_fast true: a running item cancelled by its matrix's failure says why, like the pending ones", async () => {
  // `slow` runs until cancelled; `bad` fails once `slow` has started.
  const flow = `petal: "1"
name: mx
steps:
  - id: test
    uses: foreach
    with:
      matrix: {n: [bad, slow, later]}
      max_parallel: 2
      fail_fast: true
      step:
        uses: shell
        with:
          run: |
            case "$LILY_INPUT_ITEM" in
              *slow*|*later*) touch slow.started; while true; do sleep 0.05; done ;;
              *bad*) while [ ! -e slow.started ]; do sleep 0.05; done; exit 1 ;;
            esac
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const out = await run(dir, ["-j", "2", "--isolation", "none"]);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps["test@bad"].status, "failed");
    const why = /item `test@bad` of foreach `test` failed \(fail_fast\)/;
    // One of them was running (its event says why), the other never started (its manifest).
    const events = latestEvents(dir);
    const running: string[] = [];
    for (const item of ["test@slow", "test@later"]) {
      assertEquals(m.steps[item].status, "cancelled", item);
      const event = events.find((e) => e.type === "step.cancelled" && e.step === item);
      if (m.steps[item].attempts) running.push(item);
      assertMatch(String(m.steps[item].reason ?? event?.reason), why, item);
    }
    assertEquals(running.length, 1, "one item was running when `bad` failed");
    assert(out.stdout.includes("item `test@bad` of foreach `test` failed (fail_fast)"), out.stdout);
  });
});

Deno.test("fail_fast false: the other items of the matrix run although one failed", async () => {
  await withProject({ "flow.petal": MATRIX(false) }, async (dir) => {
    const out = await run(dir, ["-j", "1"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertEquals(m.steps["test@bad"].status, "failed");
    assertEquals(m.steps["test@ok1"].status, "succeeded");
    assertEquals(m.steps["test@ok2"].status, "succeeded");
    assertEquals(m.steps.test.status, "skipped");
  });
});

Deno.test("attack: an item that is shell code stays data in {{ item }} and $LILY_INPUT_ITEM", async () => {
  await withProject({
    "flow.petal": `petal: "1"
name: inj
params:
  xs: {type: json, default: ["$(touch pwned1)", "; touch pwned2", "\`touch pwned3\`"]}
steps:
  - id: each
    uses: foreach
    with:
      items: params.xs
      step:
        uses: shell
        with: {run: 'echo {{ item }}; echo "$LILY_INPUT_ITEM"; echo "said=$LILY_INPUT_ITEM" >> "$LILY_OUTPUT"'}
        outputs: {said: {type: str}}
`,
  }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    for (const f of ["pwned1", "pwned2", "pwned3"]) {
      assertEquals(await Deno.stat(`${dir}/${f}`).then(() => true, () => false), false, f);
    }
    assertEquals(latestManifest(dir).steps.each.outputs.said.value, [
      "$(touch pwned1)",
      "; touch pwned2",
      "`touch pwned3`",
    ]);
  });
});

Deno.test("attack: a run-time key that would leave the logs folder fails the foreach, runs nothing", async () => {
  await withProject({
    "flow.petal": RUNTIME.replace(
      'echo "files=$items]" >> "$LILY_OUTPUT"',
      'echo "files=[{\\"name\\": \\"ok\\"}, {\\"name\\": \\"../../up\\"}]" >> "$LILY_OUTPUT"',
    ),
  }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertEquals(m.steps.each.status, "failed");
    assertMatch(m.steps.each.error, /key `\.\.\/\.\.\/up`, which is not safe in a file name/);
    assertEquals(Object.keys(m.steps).filter((id) => id.startsWith("each@")), []);
  });
});
