// `uses: human` at compose (src/steps/human.ts), through the real CLI: every problem of a gate's
// `with:` at its line and column, an adapter or outputs a gate cannot have, the typed output
// `answer` declared for every gate (bindings and `if:` read it with its type), the cache off
// whatever `cache:` says, and explain showing the gate.
import { assert, assertEquals } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { parse } from "yaml";

async function compose(flow: string, args: string[] = []) {
  const dir = await tempProject({ ".lilyrc": "", "flow.petal": flow });
  const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", ...args], {
    cwd: dir,
  });
  return { dir, ...out };
}

/** `error[CODE]` with the position of the `-->` line that follows it. */
function located(stderr: string): string[] {
  const out: string[] = [];
  const lines = stderr.split("\n");
  lines.forEach((line, i) => {
    const code = /^error\[(LILY-E\d{4})\]/.exec(line)?.[1];
    if (!code) return;
    const at = /--> .*flow\.petal:(\d+):(\d+)/.exec(lines[i + 1] ?? "");
    out.push(at ? `${code} ${at[1]}:${at[2]}` : `${code} ?`);
  });
  return out;
}

Deno.test("human compose: every problem of a gate's with: is reported at its field", async () => {
  const flow = `petal: "1"
name: gates
steps:
  - id: a
    uses: human
    with: { answer: { type: bool } }
  - id: b
    uses: human
    with: { promt: "Go?" , prompt: "Go?" }
  - id: c
    uses: human
    with: { prompt: "Pick", answer: { type: boool } }
  - id: d
    uses: human
    with: { prompt: "Pick", answer: { type: enum } }
  - id: e
    uses: human
    with: { prompt: "Go?", answer: { type: bool, choices: [x] } }
  - id: f
    uses: human
    with: { prompt: "Pick", answer: { type: enum, choices: [dev, prod], default: qa } }
  - id: g
    uses: human
    with: { prompt: "Note", answer: { type: text, on_false: continue } }
  - id: h
    uses: human
    with: { prompt: "Go?", answer: { type: bool, default: "yes" } }
  - id: i
    uses: human
    with: { prompt: "Pick", answer: { type: enum, choices: [a, a] } }
`;
  const { dir, code, stderr } = await compose(flow);
  try {
    assertEquals(code, 2, stderr);
    assertEquals(located(stderr), [
      "LILY-E0980 4:5",
      "LILY-E0980 9:20", // the unknown field's value
      "LILY-E0980 12:45",
      "LILY-E0981 15:37", // the answer map that lacks choices
      "LILY-E0981 18:59",
      "LILY-E0982 21:82",
      "LILY-E0980 24:61",
      "LILY-E0982 27:59",
      "LILY-E0981 30:60",
    ]);
    assert(stderr.includes("did you mean `prompt`?"), stderr);
    assert(stderr.includes("did you mean `bool`?"), stderr);
    assert(stderr.includes("`qa` is not one of `dev` and `prod`"), stderr);
    assert(stderr.includes("`choices` lists `a` twice"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human compose: an adapter other than Lily's process, or outputs other than answer, are refused", async () => {
  const flow = `petal: "1"
name: gates
steps:
  - id: a
    uses: human
    adapter: process
    with: { prompt: "Fine?" }
  - id: b
    uses: human
    adapter: docker
    with: { prompt: "Go?" }
  - id: c
    uses: human
    with: { prompt: "Go?" }
    outputs: { answer: { type: str }, extra: { type: int } }
`;
  const { dir, code, stderr } = await compose(flow);
  try {
    assertEquals(code, 2, stderr);
    const mine = located(stderr).filter((l) => l.startsWith("LILY-E0983"));
    assertEquals(mine, ["LILY-E0983 10:14", "LILY-E0983 15:16", "LILY-E0983 15:39"]);
    assert(stderr.includes("`adapter: docker` cannot ask a person"), stderr);
    assert(stderr.includes("output `answer` of a `bool` gate is `bool`"), stderr);
    assert(stderr.includes("declares output `extra`, which a gate never fills"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const RELEASE = `petal: "1"
name: release
steps:
  - id: build
    uses: shell
    with: { run: 'echo "version=1.2.3" >> "$LILY_OUTPUT"' }
    outputs: { version: { type: str } }
  - id: approve
    uses: human
    needs: [build]
    cache: { policy: auto }
    inputs: { version: { from: steps.build.outputs.version } }
    with: { prompt: "Publish?" }
  - id: target
    uses: human
    timeout: 30m
    with:
      prompt: Where to?
      answer: { type: enum, choices: [staging, production], default: staging }
  - id: publish
    uses: shell
    needs: [approve, target]
    if: steps.approve.outputs.answer && steps.target.outputs.answer == "production"
    inputs: { where: { from: steps.target.outputs.answer } }
    with: { run: 'echo "to $LILY_INPUT_WHERE"' }
`;

Deno.test("human compose: the lock declares the typed output answer, never caches a gate, and explain shows it", async () => {
  const { dir, code, stderr } = await compose(RELEASE);
  try {
    assertEquals(code, 0, stderr);
    const lock = parse(await Deno.readTextFile(`${dir}/flow.lock.yaml`));
    const steps = Object.fromEntries(
      // deno-lint-ignore no-explicit-any
      lock.plan.steps.map((s: any) => [s.id, s]),
    );
    assertEquals(steps.approve.outputs.answer.type, "bool");
    assertEquals(steps.target.outputs.answer.type, "str");
    // The with: block is normalized: a gate without `answer:` is a bool gate.
    assertEquals(steps.approve.with, { prompt: "Publish?", answer: { type: "bool" } });
    // `cache: {policy: auto}` does not make a gate cached.
    assertEquals(steps.approve.cache.policy, "never");
    assertEquals(steps.publish.inputs.where.type, "str");
    const text = await lily(["explain", "flow.lock.yaml"], { cwd: dir });
    assertEquals(text.code, 0, text.stderr);
    assert(
      text.stdout.includes(
        'gate: "Where to?" → answer: one of staging | production, default "staging"',
      ),
      text.stdout,
    );
    assert(text.stdout.includes("`--approve approve` / `--answers FILE`; never cached"));
    // A duration is shown as written, not in milliseconds.
    assert(text.stdout.includes("timeout 30m ·"), text.stdout);
    const json = await lily(["explain", "flow.lock.yaml", "--format", "json"], { cwd: dir });
    // deno-lint-ignore no-explicit-any
    const gate = JSON.parse(json.stdout).steps.find((s: any) => s.id === "target").gate;
    assertEquals(gate.answer.choices, ["staging", "production"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human compose: the answer's type is checked where it is read", async () => {
  const flow = RELEASE.replace(
    "inputs: { where: { from: steps.target.outputs.answer } }",
    "inputs: { where: { from: steps.approve.outputs.answer, type: int } }",
  );
  const { dir, code, stderr } = await compose(flow);
  try {
    assertEquals(code, 2, stderr);
    assert(stderr.includes("error[LILY-E0606]"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
