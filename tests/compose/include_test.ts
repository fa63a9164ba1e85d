// `uses: include`: fragments inlined at compose (ids prefixed, params mapped and typed, outputs
// exposed), and the errors of the pass (cycles with their chain, escapes, missing files).
import { assert, assertEquals, assertMatch, assertNotEquals } from "../_assert.ts";
import { composeSources } from "../../src/pipeline.ts";
import { type LilyError, renderError, userErrors } from "../../src/errors.ts";
import { ensureLocator } from "../../src/source/locate.ts";
import { tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: flow
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
      params: { channel: "#{{ params.who }}", count: "3" }
  - id: after
    uses: shell
    needs: [notify]
    inputs: { status: { from: steps.notify.outputs.status } }
    if: steps.notify.outputs.status == "sent"
    with: { run: echo "after saw $LILY_INPUT_STATUS" }
outputs:
  - status: steps.notify.outputs.status
`;

const NOTIFY = `petal: "1"
name: notify
params:
  channel: { type: str, required: true }
  count: { type: int, default: 1 }
vars:
  greeting: "hello {{ params.channel }}"
env:
  CHANNEL: "{{ params.channel }}"
steps:
  - id: fmt
    uses: shell
    inputs: { n: { from: params.count } }
    with: { run: 'echo "text={{ vars.greeting }} x$LILY_INPUT_N" >> "$LILY_OUTPUT"' }
    outputs: { text: { type: str } }
  - id: post
    uses: shell
    needs: [fmt]
    if: params.count > 2
    inputs: { text: { from: steps.fmt.outputs.text } }
    with: { run: 'echo "posting $LILY_INPUT_TEXT"; echo "status=sent" >> "$LILY_OUTPUT"' }
    outputs: { status: { type: str } }
outputs:
  - status: steps.post.outputs.status
`;

async function withProject(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await tempProject({ ".lilyrc": "", ...files });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function composeErrors(dir: string, file = "flow.petal"): Promise<LilyError[]> {
  const error = await composeSources([file], { cwd: dir }).then(() => undefined, (e) => e);
  assert(error !== undefined, "compose should fail");
  const errors = userErrors(error);
  assert(errors, `not a user error: ${error}`);
  await ensureLocator();
  return errors;
}

function at(error: LilyError): string {
  return `${error.span?.file}:${error.span?.line}:${error.span?.col}`;
}

Deno.test("include: the fragment's steps are inlined under the include's id, references rewritten", async () => {
  await withProject({ "flow.petal": FLOW, "fragments/notify.petal": NOTIFY }, async (dir) => {
    const [point] = await composeSources(["flow.petal"], { cwd: dir });
    const steps = new Map(point.lock.plan.steps.map((s) => [s.id, s]));
    assertEquals([...steps.keys()], ["build", "notify.fmt", "notify.post", "after"]);
    assertEquals(point.lock.plan.levels, [["build"], ["notify.fmt"], ["notify.post"], ["after"]]);
    // The include's needs go to the fragment's first steps; inner needs are prefixed.
    assertEquals(steps.get("notify.fmt")!.needs, ["build"]);
    assertEquals(steps.get("notify.post")!.needs, ["notify.fmt"]);
    assertEquals(steps.get("notify.post")!.inputs.text.from, "steps.notify.fmt.outputs.text");
    // The fragment is rendered in its own context: its params, vars and env.
    assertEquals(
      steps.get("notify.fmt")!.with.run,
      `echo "text=hello #team x$LILY_INPUT_N" >> "$LILY_OUTPUT"`,
    );
    assertEquals(steps.get("notify.fmt")!.env.CHANNEL, "#team");
    assertEquals(steps.get("notify.fmt")!.inputs.n.from, "params.notify.count");
    assertEquals(point.lock.params["notify.count"], { type: "int", value: 3 });
    // A fragment's `if:` reads its params as the constants they are.
    assertEquals(steps.get("notify.post")!.if?.source, "3 > 2");
    // The include's outputs are the producing inner step's.
    assertEquals(steps.get("after")!.needs, ["notify.post"]);
    assertEquals(steps.get("after")!.inputs.status.from, "steps.notify.post.outputs.status");
    assertEquals(steps.get("after")!.if?.source, 'steps.notify.post.outputs.status == "sent"');
    assertEquals(point.lock.plan.outputs, [{
      status: { from: "steps.notify.post.outputs.status", type: "str" },
    }]);
    assert(!point.lock.plan.steps.some((s) => s.uses === "include"));
  });
});

Deno.test("include: the lock lists each fragment as a source with its hash, and stays byte-identical", async () => {
  await withProject({ "flow.petal": FLOW, "fragments/notify.petal": NOTIFY }, async (dir) => {
    const [a] = await composeSources(["flow.petal"], { cwd: dir });
    const [b] = await composeSources(["flow.petal"], { cwd: dir });
    assertEquals(a.text, b.text);
    const fragment = a.lock.provenance.sources.find((s) => s.role === "fragment");
    assertEquals(fragment?.path, "fragments/notify.petal");
    assertMatch(fragment!.sha256, /^sha256:[0-9a-f]{64}$/);
    assertEquals(a.lock.provenance.includes, { notify: "fragments/notify.petal" });
    // A change of the fragment changes what runs, so the spec_hash.
    await Deno.writeTextFile(`${dir}/fragments/notify.petal`, NOTIFY.replace("posting", "sending"));
    const [c] = await composeSources(["flow.petal"], { cwd: dir });
    assertNotEquals(c.lock.spec_hash, a.lock.spec_hash);
    assertNotEquals(
      c.lock.provenance.sources.find((s) => s.role === "fragment")!.sha256,
      fragment!.sha256,
    );
  });
});

Deno.test("include: a workflow without includes composes as before (no includes in provenance)", async () => {
  await withProject(
    { "flow.petal": NOTIFY.replace("required: true", "default: x") },
    async (dir) => {
      const [point] = await composeSources(["flow.petal"], { cwd: dir });
      assertEquals(point.lock.provenance.includes, undefined);
      assert(!point.text.includes("includes:"));
    },
  );
});

Deno.test("include: unknown, missing and ill-typed params are all reported, at the include's with.params", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: notify
    uses: include
    with:
      petal: notify.petal
      params:
        chanel: ops
        count: many
`;
  await withProject({ "flow.petal": flow, "notify.petal": NOTIFY }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code).sort(), ["LILY-E0974", "LILY-E0975", "LILY-E0976"]);
    const byCode = new Map(errors.map((e) => [e.code, e]));
    assertEquals(at(byCode.get("LILY-E0974")!), "flow.petal:9:9");
    assertMatch(byCode.get("LILY-E0974")!.hint ?? "", /did you mean `channel`/);
    assertEquals(at(byCode.get("LILY-E0976")!), "flow.petal:10:16");
    assertMatch(byCode.get("LILY-E0976")!.message, /`count`.*`int`.*"many"/);
    assertEquals(byCode.get("LILY-E0975")!.span?.file, "flow.petal");
    assertEquals(byCode.get("LILY-E0975")!.span?.line, 8);
    assertMatch(byCode.get("LILY-E0975")!.message, /`channel`/);
    // The hints say the type, with an example from the param (its default when it has one).
    assertEquals(byCode.get("LILY-E0976")!.hint, "give an int, e.g. `count: 1`");
    assertEquals(
      byCode.get("LILY-E0975")!.hint,
      'add it, a string: `with: {params: {channel: "text"}}`',
    );
  });
});

Deno.test("include: a param given by a template of the including file is typed like a -p value", async () => {
  const flow = `petal: "1"
name: flow
params:
  n: { type: int, default: 7 }
  on: { type: bool, default: true }
steps:
  - id: f
    uses: include
    with:
      petal: frag.petal
      params: { count: "{{ params.n }}", enabled: "{{ params.on }}", tags: [a, b] }
`;
  const frag = `petal: "1"
name: frag
params:
  count: { type: int, required: true }
  enabled: { type: bool, default: false }
  tags: { type: json, default: [] }
steps:
  - id: s
    uses: shell
    inputs: { c: { from: params.count }, t: { from: params.tags } }
    with: { run: echo "$LILY_INPUT_C" }
`;
  await withProject({ "flow.petal": flow, "frag.petal": frag }, async (dir) => {
    const [point] = await composeSources(["flow.petal"], { cwd: dir });
    assertEquals(point.lock.params["f.count"], { type: "int", value: 7 });
    assertEquals(point.lock.params["f.enabled"], { type: "bool", value: true });
    assertEquals(point.lock.params["f.tags"], { type: "json", value: ["a", "b"] });
    assertEquals(point.lock.plan.steps[0].inputs.c, {
      type: "int",
      from: "params.f.count",
      required: true,
    });
  });
});

Deno.test("include: a secret given through a template is refused with the bare-name binding as hint", async () => {
  const flow = `petal: "1"
name: flow
params:
  api_key: { type: secret }
steps:
  - id: f
    uses: include
    with: { petal: frag.petal, params: { token: "{{ params.api_key }}" } }
`;
  const frag = `petal: "1"
name: frag
params:
  token: { type: secret }
steps:
  - id: s
    uses: shell
    inputs: { t: { from: params.token } }
    with: { run: echo ok }
`;
  await withProject({ "flow.petal": flow, "frag.petal": frag }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => [e.code, at(e)]), [["LILY-E0410", "flow.petal:8:53"]]);
    assertMatch(errors[0].hint ?? "", /bare name, not a template: `token: params\.api_key`/);
  });
});

Deno.test("include: a fragment's secret is bound to a secret of the including file", async () => {
  const flow = `petal: "1"
name: flow
params:
  api: { type: secret, source: "env:API_KEY" }
steps:
  - id: f
    uses: include
    with: { petal: frag.petal, params: { token: params.api } }
  - id: g
    uses: include
    with: { petal: frag.petal, params: { token: "plain" } }
`;
  const frag = `petal: "1"
name: frag
params:
  token: { type: secret }
steps:
  - id: s
    uses: shell
    inputs: { t: { from: params.token } }
    with: { run: echo ok }
`;
  await withProject({ "flow.petal": flow, "frag.petal": frag }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code), ["LILY-E0976"]);
    assertMatch(errors[0].hint ?? "", /token: params\.api/);
    await Deno.writeTextFile(`${dir}/flow.petal`, flow.split("  - id: g")[0]);
    const [point] = await composeSources(["flow.petal"], { cwd: dir });
    assertEquals(point.lock.params["f.token"], {
      type: "secret",
      secret: true,
      source: "env:API_KEY",
      required: true,
    });
    assertEquals(point.lock.plan.steps[0].inputs.t.type, "secret");
  });
});

Deno.test("include: nested includes prefix again, and outputs pass through each level", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: outer
    uses: include
    with: { petal: frags/outer.petal }
  - id: use
    uses: shell
    needs: [outer]
    inputs: { v: { from: steps.outer.outputs.value } }
    with: { run: echo "$LILY_INPUT_V" }
`;
  const outer = `petal: "1"
name: outer
steps:
  - id: first
    uses: shell
    with: { run: echo start }
  - id: inner
    uses: include
    needs: [first]
    with: { petal: inner.petal, params: { word: deep } }
outputs:
  - value: steps.inner.outputs.word
`;
  const inner = `petal: "1"
name: inner
params:
  word: { type: str, required: true }
steps:
  - id: say
    uses: shell
    with: { run: 'echo "word={{ params.word }}" >> "$LILY_OUTPUT"' }
    outputs: { word: { type: str } }
outputs:
  - word: steps.say.outputs.word
`;
  await withProject(
    { "flow.petal": flow, "frags/outer.petal": outer, "frags/inner.petal": inner },
    async (dir) => {
      const [point] = await composeSources(["flow.petal"], { cwd: dir });
      const steps = new Map(point.lock.plan.steps.map((s) => [s.id, s]));
      assertEquals([...steps.keys()], ["outer.first", "outer.inner.say", "use"]);
      assertEquals(steps.get("outer.inner.say")!.needs, ["outer.first"]);
      assertEquals(steps.get("use")!.needs, ["outer.inner.say"]);
      assertEquals(steps.get("use")!.inputs.v.from, "steps.outer.inner.say.outputs.word");
      assertEquals(point.lock.params["outer.inner.word"], { type: "str", value: "deep" });
      assertEquals(point.lock.provenance.includes, {
        outer: "frags/outer.petal",
        "outer.inner": "frags/inner.petal",
      });
      assertEquals(
        point.lock.provenance.sources.filter((s) => s.role === "fragment").map((s) => s.path),
        ["frags/outer.petal", "frags/inner.petal"],
      );
    },
  );
});

Deno.test("include: a cycle is an error naming the chain with positions", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: a
    uses: include
    with: { petal: b.petal }
`;
  const b = `petal: "1"
name: b
steps:
  - id: back
    uses: include
    with:
      petal: flow.petal
`;
  await withProject({ "flow.petal": flow, "b.petal": b }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code), ["LILY-E0973"]);
    assertEquals(
      errors[0].message,
      "includes form a cycle: flow.petal:6:20 → b.petal:7:14 → flow.petal",
    );
    assertEquals(at(errors[0]), "b.petal:7:14");
  });
});

Deno.test("include: a missing fragment names the path and the including position", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: a
    uses: include
    with: { petal: nowhere/x.petal }
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code), ["LILY-E0971"]);
    assertMatch(errors[0].message, /`nowhere\/x\.petal` does not exist/);
    assertEquals(at(errors[0]), "flow.petal:6:20");
  });
});

Deno.test("include: a fragment outside the project is refused: ../, absolute, a symlink", async () => {
  const outside = await Deno.makeTempDir({ prefix: "lily-outside-" });
  try {
    await Deno.writeTextFile(`${outside}/evil.petal`, NOTIFY);
    const flow = (path: string) =>
      `petal: "1"
name: flow
steps:
  - id: a
    uses: include
    with: { petal: "${path}" }
`;
    await withProject({ "sub/.keep": "" }, async (dir) => {
      await Deno.symlink(`${outside}/evil.petal`, `${dir}/sub/link.petal`);
      const cases: [string, RegExp][] = [
        [`../${outside.split("/").pop()}/evil.petal`, /leaves the project/],
        [`${outside}/evil.petal`, /is an absolute path/],
        ["sub/link.petal", /symbolic link to a file outside the project/],
      ];
      for (const [path, why] of cases) {
        await Deno.writeTextFile(`${dir}/flow.petal`, flow(path));
        const errors = await composeErrors(dir);
        assertEquals(errors.map((e) => e.code), ["LILY-E0972"], path);
        assertMatch(errors[0].message, why);
        assertEquals(at(errors[0]), "flow.petal:6:20");
      }
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("include: an output the fragment does not expose, and fields an include cannot take, are positioned errors", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: notify
    uses: include
    timeout: 1m
    with: { petal: notify.petal, params: { channel: ops } }
  - id: after
    uses: shell
    needs: [notify]
    inputs: { s: { from: steps.notify.outputs.stauts } }
    with: { run: echo }
`;
  await withProject({ "flow.petal": flow, "notify.petal": NOTIFY }, async (dir) => {
    // Both in one pass: a field the include cannot take does not hide the other problems.
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code), ["LILY-E0970", "LILY-E0977"]);
    assertEquals(at(errors[0]), "flow.petal:6:5");
    assertEquals(at(errors[1]), "flow.petal:11:26");
    assertMatch(errors[1].hint ?? "", /`status`/);
    await Deno.writeTextFile(`${dir}/flow.petal`, flow.replace("    timeout: 1m\n", ""));
    const second = await composeErrors(dir);
    assertEquals(second.map((e) => e.code), ["LILY-E0977"]);
  });
});

Deno.test("include: a fragment cannot have on_error, and its own errors point into it", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - id: f
    uses: include
    with: { petal: frag.petal }
`;
  const frag = `petal: "1"
name: frag
steps:
  - id: s
    uses: shell
    needs: [nope]
    with: { run: echo }
on_error:
  - { id: e, uses: shell, with: { run: echo } }
`;
  await withProject({ "flow.petal": flow, "frag.petal": frag }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code), ["LILY-E0978"]);
    assertEquals(at(errors[0]), "frag.petal:8:1");
    await Deno.writeTextFile(`${dir}/frag.petal`, frag.split("on_error")[0]);
    const second = await composeErrors(dir);
    assertEquals(second.map((e) => e.code), ["LILY-E0602"]);
    assertEquals(at(second[0]), "frag.petal:6:13");
    assertMatch(renderError(second[0]), /f\.nope/);
  });
});

Deno.test("include: errors of several includes are reported in one pass", async () => {
  const flow = `petal: "1"
name: flow
steps:
  - { id: a, uses: include, with: { petal: missing.petal } }
  - { id: b, uses: include, with: { petal: notify.petal } }
`;
  await withProject({ "flow.petal": flow, "notify.petal": NOTIFY }, async (dir) => {
    const errors = await composeErrors(dir);
    assertEquals(errors.map((e) => e.code).sort(), ["LILY-E0971", "LILY-E0975"]);
  });
});

Deno.test("include: verify --recompose treats a fragment's clock read as non-deterministic, not drift", async () => {
  const { verifyLock } = await import("../../src/lock/verify.ts");
  const { recomposeLock } = await import("../../src/pipeline.ts");
  const flow = `petal: "1"
name: flow
steps:
  - { id: f, uses: include, with: { petal: frag.petal } }
`;
  const frag = `petal: "1"
name: frag
steps:
  - id: stamp
    uses: shell
    with: { run: "echo {{ now() }}" }
`;
  await withProject({ "flow.petal": flow, "frag.petal": frag }, async (dir) => {
    const [point] = await composeSources(["flow.petal"], {
      cwd: dir,
      output: `${dir}/flow.lock.yaml`,
      getEnv: (name) => name === "SOURCE_DATE_EPOCH" ? "1000" : undefined,
    });
    assertEquals(point.lock.provenance.nondeterministic[0]?.where, "steps.f.stamp.with.run");
    await Deno.writeTextFile(`${dir}/flow.lock.yaml`, point.text);
    // Another clock (the lock's is replayed, so move it): only the stamp step changes.
    const report = await verifyLock(`${dir}/flow.lock.yaml`, point.lock, {
      recompose: (path, lock) =>
        recomposeLock(path, { ...lock, provenance: { ...lock.provenance, clock: 2000 } }),
      getEnv: () => undefined,
    });
    assert(
      report.findings.some((f) =>
        f.kind === "nondeterministic" && /recomposing changes only/.test(f.message)
      ),
      JSON.stringify(report.findings),
    );
    assert(report.ok, JSON.stringify(report.findings));
  });
});
