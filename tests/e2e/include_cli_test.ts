// `uses: include` through the real CLI: a dependant reads the fragment's output in a real run,
// `verify` notices an edited fragment, `explain` and `diff` show included steps and their
// fragment, and a cycle is rendered with its chain.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { latestManifest, run } from "../run/_run.ts";

function assertStringIncludes(text: string, part: string): void {
  assert(text.includes(part), `expected ${JSON.stringify(part)} in:\n${text}`);
}

const FLOW = `petal: "1"
name: release
params:
  who: { type: str, default: team }
steps:
  - id: build
    uses: shell
    with: { run: echo "version=1.2.3" >> "$LILY_OUTPUT" }
    outputs: { version: { type: str } }
  - id: notify
    uses: include
    needs: [build]
    with:
      petal: fragments/notify.petal
      params: { channel: "#{{ params.who }}" }
  - id: after
    uses: shell
    needs: [notify]
    if: steps.notify.outputs.status != "failed"
    inputs: { status: { from: steps.notify.outputs.status } }
    outputs: { seen: { type: str } }
    with: { run: echo "seen=after saw $LILY_INPUT_STATUS" >> "$LILY_OUTPUT" }
outputs:
  - seen: steps.after.outputs.seen
`;

const NOTIFY = `petal: "1"
name: notify
params:
  channel: { type: str, required: true }
steps:
  - id: fmt
    uses: shell
    with: { run: 'echo "text=release for {{ params.channel }}" >> "$LILY_OUTPUT"' }
    outputs: { text: { type: str } }
  - id: post
    uses: shell
    needs: [fmt]
    inputs: { text: { from: steps.fmt.outputs.text } }
    with: { run: 'echo "posting $LILY_INPUT_TEXT"; echo "status=sent:$LILY_INPUT_TEXT" >> "$LILY_OUTPUT"' }
    outputs: { status: { type: str } }
outputs:
  - status: steps.post.outputs.status
`;

async function withProject(fn: (dir: string) => Promise<void>) {
  const dir = await tempProject({
    ".lilyrc": "",
    "flow.petal": FLOW,
    "fragments/notify.petal": NOTIFY,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], { cwd: dir });
    assertEquals(out.code, 0, out.stderr);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("include e2e: a dependant reads the include's output (input and if:) in a real run", async () => {
  await withProject(async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    const manifest = latestManifest(dir);
    assertEquals(
      manifest.outputs.seen.value,
      "after saw sent:release for #team",
      JSON.stringify(manifest.outputs),
    );
    assertEquals(manifest.steps["notify.post"].outputs.status.value, "sent:release for #team");
    // Run again: every step, included ones too, is a cache hit.
    const again = await run(dir);
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout + again.stderr, /4 cached/);
    // `--only notify` selects the steps the include inlined (and what they need), not `after`.
    const only = await run(dir, ["--only", "notify"]);
    assertEquals(only.code, 0, only.stderr);
    const steps = latestManifest(dir).steps;
    const selected = Object.keys(steps).filter((id) =>
      steps[id].reason !== "not selected (--only)"
    );
    assertEquals(selected.sort(), ["build", "notify.fmt", "notify.post"]);
  });
});

Deno.test("include e2e: verify notices an edited fragment; recomposing changes the spec_hash", async () => {
  await withProject(async (dir) => {
    const clean = await lily(["verify", "flow.lock.yaml", "--recompose"], { cwd: dir });
    assertEquals(clean.code, 0, clean.stdout + clean.stderr);
    await Deno.writeTextFile(
      `${dir}/fragments/notify.petal`,
      NOTIFY.replace("release for", "shipped for"),
    );
    const plain = await lily(["verify", "flow.lock.yaml"], { cwd: dir });
    assert(plain.code !== 0, plain.stdout);
    assertStringIncludes(plain.stdout + plain.stderr, "fragment `fragments/notify.petal` changed");
    const recomposed = await lily(["verify", "flow.lock.yaml", "--recompose"], { cwd: dir });
    assert(recomposed.code !== 0);
    assertStringIncludes(recomposed.stdout + recomposed.stderr, "notify.fmt");
    const before = (await Deno.readTextFile(`${dir}/flow.lock.yaml`)).match(/spec_hash: (.*)/)![1];
    await lily(["compose", "flow.petal", "-o", "new.lock.yaml", "-q"], { cwd: dir });
    const after = (await Deno.readTextFile(`${dir}/new.lock.yaml`)).match(/spec_hash: (.*)/)![1];
    assert(before !== after);
  });
});

Deno.test("include e2e: explain and diff show included steps under their prefix, with their fragment", async () => {
  await withProject(async (dir) => {
    const explain = await lily(["explain", "flow.lock.yaml"], { cwd: dir });
    assertEquals(explain.code, 0, explain.stderr);
    assertStringIncludes(
      explain.stdout,
      "includes (id ← fragment: its steps)\n  notify ← fragments/notify.petal  (notify.fmt, notify.post)",
    );
    assertMatch(explain.stdout, /\n {2}notify\.post {2}shell/);
    const json = JSON.parse(
      (await lily(["explain", "flow.lock.yaml", "-f", "json"], { cwd: dir })).stdout,
    );
    const post = json.steps.find((s: { id: string }) => s.id === "notify.post");
    assertEquals(post.included_from, "fragments/notify.petal");
    const mermaid = await lily(["explain", "flow.lock.yaml", "-f", "mermaid"], { cwd: dir });
    assertStringIncludes(mermaid.stdout, 'subgraph i_notify["notify ← fragments/notify.petal"]');

    await Deno.writeTextFile(
      `${dir}/fragments/notify.petal`,
      NOTIFY.replace("release for", "shipped for"),
    );
    const diff = await lily(["diff", "flow.lock.yaml", "flow.petal"], { cwd: dir });
    assertEquals(diff.code, 1, diff.stderr);
    assertStringIncludes(diff.stdout, "~ notify.fmt  (from fragments/notify.petal)");
    assertMatch(diff.stdout, /↻ notify\.fmt {2}re-runs/);
    assertMatch(diff.stdout, /\? notify\.post {2}may re-run/);
  });
});

Deno.test("include e2e: a cycle is rendered with its chain and position", async () => {
  const dir = await tempProject({
    ".lilyrc": "",
    "a.petal":
      `petal: "1"\nname: a\nsteps:\n  - id: x\n    uses: include\n    with: { petal: b.petal }\n`,
    "b.petal":
      `petal: "1"\nname: b\nsteps:\n  - id: y\n    uses: include\n    with: { petal: a.petal }\n`,
  });
  try {
    const out = await lily(["compose", "a.petal", "-o", "-"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    assertStringIncludes(out.stderr, "LILY-E0973");
    assertStringIncludes(
      out.stderr,
      "includes form a cycle: a.petal:6:20 → b.petal:6:20 → a.petal",
    );
    assertStringIncludes(out.stderr, "--> b.petal:6:20");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
