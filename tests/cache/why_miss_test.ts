// A cache miss names the params and vars whose change changed the step (`the command
// (params.greeting: hello → yo)`), in `run -v`, the events, the manifest, `explain --why` and `diff`.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { latestEvents, latestManifest, project, run } from "../run/_run.ts";

const FLOW = `petal: "1"
name: greet
params:
  greeting: {type: str, default: hello}
  who: {type: str, default: world}
  note: {type: str, default: short}
vars:
  line: "{{ params.greeting }}, {{ params.who }}"
steps:
  - id: greet
    uses: shell
    with: {run: 'echo "{{ params.greeting }} {% if params.who %}{{ params.who }}{% endif %}"'}
  - id: quote
    uses: shell
    env: {LINE: "{{ vars.line }}"}
    with: {run: 'echo "$LINE"'}
  - id: steady
    uses: shell
    with: {run: 'echo "{{ params.who }}"'}
  - id: long
    uses: shell
    with: {run: 'echo "{{ params.note }}"'}
`;

async function compose(dir: string, params: string[]) {
  const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", ...params], {
    cwd: dir,
  });
  assertEquals(out.code, 0, out.stderr);
}

Deno.test("a miss names the param that changed the command: -v, events, manifest, explain --why", async () => {
  const dir = await project({ "flow.petal": FLOW }, ["-p", "greeting=hello"]);
  try {
    assertEquals((await run(dir)).code, 0);
    const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    assertMatch(lock, /refs:\n\s+command:\n\s+params\.greeting: hello\n\s+params\.who: world/);

    await Deno.copyFile(`${dir}/flow.lock.yaml`, `${dir}/hello.lock.yaml`);
    await compose(dir, ["-p", "greeting=yo", "-p", `note=${"x".repeat(200)}`]);
    // `lily diff` predicts the same, before anything runs.
    const diff = await lily(["diff", "hello.lock.yaml", "flow.lock.yaml"], { cwd: dir });
    assertMatch(
      diff.stdout,
      /↻ greet\s+re-runs: the command .* changed \(params\.greeting: hello → yo\)/,
    );
    const out = await run(dir, ["-v"]);
    assertEquals(out.code, 0, out.stderr);
    const why = "the command (params.greeting: hello → yo)";
    assertMatch(
      out.stdout,
      /greet: cache miss — changed since the last entry: the command \(params\.greeting: hello → yo\)/,
    );

    const miss = latestEvents(dir).find((e) => e.type === "step.cache_miss" && e.step === "greet");
    assertEquals(miss?.changed, [why]);
    assertEquals(
      latestManifest(dir).steps.greet.cache.reason,
      `changed since the last entry: ${why}`,
    );

    // A var read by the step's env names the var (its value came from the param).
    const quote = latestEvents(dir).find((e) => e.type === "step.cache_miss" && e.step === "quote");
    assertEquals(quote?.changed, ["the environment (vars.line: hello, world → yo, world)"]);
    // A long value is named by digest, never printed whole.
    const long = latestEvents(dir).find((e) => e.type === "step.cache_miss" && e.step === "long");
    assertMatch(
      String(long?.changed),
      /^the command \(params\.note: short → sha256:[0-9a-f]{12}\)$/,
    );
    // A step that reads only params that did not change is a hit.
    assertEquals(latestManifest(dir).steps.steady.cache.decision, "hit");

    const explained = await lily(["explain", "flow.lock.yaml", "--why", "greet"], { cwd: dir });
    assertEquals(explained.code, 0, explained.stderr);
    assertMatch(explained.stdout, /- the command changed \(params\.greeting: hello → yo\)/);
    const json = await lily(["explain", "flow.lock.yaml", "--why", "greet", "--format", "json"], {
      cwd: dir,
    });
    assertEquals(JSON.parse(json.stdout).changed, [why]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a command changed by its own text (no param changed) is named without a param", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    assertEquals((await run(dir)).code, 0);
    await Deno.writeTextFile(
      `${dir}/flow.petal`,
      FLOW.replace(`'echo "{{ params.who }}"'`, `'echo "{{ params.who }}!"'`),
    );
    await compose(dir, []);
    assertEquals((await run(dir)).code, 0);
    const miss = latestEvents(dir).find((e) => e.type === "step.cache_miss" && e.step === "steady");
    assertEquals(miss?.changed, ["the command"]);
    assert(!latestEvents(dir).some((e) => e.type === "step.cache_miss" && e.step === "greet"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
