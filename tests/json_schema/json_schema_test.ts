// JSON schemas on `json` inputs and outputs: the full vocabulary the validator implements is
// applied at run time, and a schema that cannot be applied is a compose error.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, lily, tempProject } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

async function withRun(flow: string, fn: (dir: string) => Promise<void>) {
  const dir = await project({ "flow.petal": flow });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One step per value, each writing `v=<json>` and declaring `schema`. */
function flowChecking(schema: string, values: Record<string, string>): string {
  const steps = Object.entries(values).map(([id, json]) =>
    `  - id: ${id}
    uses: shell
    with: {run: ${JSON.stringify(`echo 'v=${json}' >> "$LILY_OUTPUT"`)}}
    outputs: {v: {type: json, schema: ${schema}}}`
  );
  return `petal: "1"\nname: schemas\nsteps:\n${steps.join("\n")}\n`;
}

Deno.test("an output's `pattern` is applied: a non-matching string fails the step", async () => {
  const flow = flowChecking('{type: string, pattern: "^v[0-9]+$"}', {
    ok: '"v12"',
    bad: '"version twelve"',
  });
  await withRun(flow, async (dir) => {
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1, out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.ok.status, "succeeded");
    assertEquals(m.steps.bad.status, "failed");
    assertMatch(
      m.steps.bad.error,
      /output `v` does not match its schema: \$: .*pattern `\^v\[0-9\]\+\$`/,
    );
  });
});

Deno.test("`oneOf` is applied: a value matching two branches, or none, fails", async () => {
  const flow = flowChecking("{oneOf: [{type: integer}, {type: number, minimum: 10}]}", {
    one: "3",
    other: "10.5",
    both: "12",
    none: "2.5",
  });
  await withRun(flow, async (dir) => {
    await run(dir, ["--continue", "always"]);
    const m = latestManifest(dir);
    assertEquals(m.steps.one.status, "succeeded");
    assertEquals(m.steps.other.status, "succeeded");
    assertEquals(m.steps.both.status, "failed");
    assertMatch(m.steps.both.error, /exactly one subschema \(2 matches\)/);
    assertEquals(m.steps.none.status, "failed");
    assertMatch(m.steps.none.error, /exactly one subschema \(0 matches\)/);
  });
});

Deno.test("an `enum` of objects compares values, not key order", async () => {
  const flow = flowChecking("{enum: [{w: 1280, h: 720}, {w: 1920, h: 1080}]}", {
    reordered: '{"h": 720, "w": 1280}',
    nested_same: '{"w": 1920, "h": 1080}',
    other: '{"h": 720, "w": 1920}',
  });
  await withRun(flow, async (dir) => {
    await run(dir, ["--continue", "always"]);
    const m = latestManifest(dir);
    assertEquals(m.steps.reordered.status, "succeeded", m.steps.reordered.error);
    assertEquals(m.steps.nested_same.status, "succeeded");
    assertEquals(m.steps.other.status, "failed");
    assertMatch(m.steps.other.error, /does not match any of/);
  });
});

Deno.test("a schema that cannot be applied is a positioned compose error, every one reported", async () => {
  const flow = `petal: "1"
name: bad_schemas
steps:
  - id: a
    uses: shell
    with: {run: "true"}
    outputs:
      v:
        type: json
        schema:
          type: object
          properties:
            tag: {type: string, pattern: "v(["}
            size: {type: integr}
          requried: [tag]
      n:
        type: int
        schema: {type: integer}
`;
  const dir = await tempProject({ "flow.petal": flow });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    assert(!out.stderr.includes("    at "), "no stack trace");
    // Each problem is reported at its own line in the source.
    assertMatch(
      out.stderr,
      /error\[LILY-E0530\]: .*at `properties\.tag\.pattern`: `v\(\[` is not a valid regular expression[^]*flow\.petal:13:/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0530\]: .*`properties\.size\.type`[^]*flow\.petal:14:[^]*did you mean `integer`\?/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0530\]: .*`requried` is not a JSON Schema keyword[^]*flow\.petal:15:[^]*did you mean `required`\?/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0531\]: output `n` of step `a` has a `schema:` but is of type `int`[^]*flow\.petal:18:/,
    );
    assert(!(await exists(`${dir}/flow.lock.yaml`)), "no lock is written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("the validator is not in the static module graph: runs without a schema never load it", async () => {
  const mod = new URL("../../mod.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", mod],
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0", DENO_DIR: denoDir() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string; dependencies?: { specifier: string; isDynamic?: boolean }[] }[];
  };
  const users = graph.modules.flatMap((m) =>
    (m.dependencies ?? []).filter((d) => d.specifier.includes("cfworker"))
      .map((d) => ({ from: m.specifier, dynamic: d.isDynamic === true }))
  );
  assert(users.length > 0, "the validator is reachable (by a dynamic import)");
  assertEquals(users.filter((u) => !u.dynamic), []);
});

Deno.test("a param value that does not match an input's schema is a compose error at the input", async () => {
  const flow = `petal: "1"
name: param_schema
params:
  cfg: {type: json, default: {size: 720}}
steps:
  - id: encode
    uses: shell
    inputs:
      cfg:
        from: params.cfg
        schema: {type: object, required: [size], properties: {size: {enum: [480, 720]}}}
    with: {run: "true"}
`;
  const dir = await tempProject({ "flow.petal": flow });
  try {
    const ok = await lily(["compose", "flow.petal", "-o", "ok.lock.yaml"], { cwd: dir });
    assertEquals(ok.code, 0, ok.stderr);
    const bad = await lily(
      ["compose", "flow.petal", "-o", "bad.lock.yaml", "-p", 'cfg={"size": 1080}'],
      { cwd: dir },
    );
    assertEquals(bad.code, 2, bad.stderr);
    assertMatch(
      bad.stderr,
      /error\[LILY-E0532\]: param `cfg` \(given on the command line\) does not match the schema of input `cfg` of step `encode`: \$\.size: [^\n]*\n\s*--> flow\.petal:10:/,
    );
    assert(!(await exists(`${dir}/bad.lock.yaml`)), "no lock is written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
