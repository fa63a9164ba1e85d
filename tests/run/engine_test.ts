// Behaviour of the engine through the real CLI.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { latestEvents, latestManifest, project, run } from "./_run.ts";

async function withProject(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
  params: string[] = [],
) {
  const dir = await project(files, params);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DATA = `petal: "1"
name: data
params:
  n: {type: int, default: 2}
  skip_b: {type: bool, default: false}
steps:
  - id: a
    uses: shell
    inputs: {n: {from: params.n}}
    with: {run: 'echo "doubled=$((LILY_INPUT_N * 2))" >> "$LILY_OUTPUT"; mkdir -p out; echo hi > out/a.txt'}
    outputs: {doubled: {type: int}, file: {type: file, path: out/a.txt}}
  - id: b
    uses: shell
    needs: [a]
    if: "!params.skip_b && steps.a.outputs.doubled == 4"
    inputs: {d: {from: steps.a.outputs.doubled}, f: {from: steps.a.outputs.file}}
    resources: {binaries: [wc]}
    with: {run: 'echo "sum=$((LILY_INPUT_D + $(wc -c < "$LILY_INPUT_F")))" >> "$LILY_OUTPUT"'}
    outputs: {sum: {type: int}}
  - id: c
    uses: shell
    needs: [b]
    inputs: {sum: {from: steps.b.outputs.sum}}
    with: {run: 'echo "got $LILY_INPUT_SUM"'}
  - id: d
    uses: shell
    needs: [b]
    with: {run: "echo ordering only"}
`;

Deno.test("data flows through typed inputs and outputs; a re-run is all cache hits", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    const first = await run(dir);
    assertEquals(first.code, 0, first.stdout + first.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.a.outputs.doubled.value, 4);
    assertEquals(m.steps.b.outputs.sum.value, 7);
    assertEquals(m.steps.a.outputs.file.sha256.length, 64);
    const second = await run(dir);
    assertEquals(latestManifest(dir).counts.cached, 4, second.stdout);
  });
});

Deno.test("a skip propagates through data, not through ordering", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    const out = await run(dir);
    assertEquals(out.code, 0);
    const m = latestManifest(dir);
    assertEquals([m.steps.b.status, m.steps.c.status, m.steps.d.status], [
      "skipped",
      "skipped",
      "succeeded",
    ]);
    assertMatch(
      m.steps.b.reason,
      /condition `!params.skip_b && steps.a.outputs.doubled == 4` is false/,
    );
    assertMatch(
      m.steps.c.reason,
      /input `sum` comes from `steps.b.outputs.sum`, and step `b` was skipped/,
    );
  }, ["-p", "skip_b=true"]);
});

Deno.test("a changed param re-runs only the steps whose inputs change, and says why", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    assertEquals((await run(dir)).code, 0);
    await lily([
      "compose",
      "flow.petal",
      "-o",
      "flow.lock.yaml",
      "-q",
      "-p",
      "n=2",
      "-p",
      "skip_b=false",
    ], { cwd: dir });
    const out = await lily(["run", "flow.lock.yaml", "--verbose"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg` },
    });
    assertEquals(out.code, 0);
    assertEquals(
      latestManifest(dir).counts.cached,
      4,
      "skip_b does not feed any input: nothing re-runs",
    );
    await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", "-p", "n=3"], { cwd: dir });
    const changed = await lily(["run", "flow.lock.yaml", "--verbose"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg` },
    });
    assertMatch(changed.stdout, /a: cache miss — changed since the last entry: input `n`/);
    const m = latestManifest(dir);
    assertEquals(m.steps.a.status, "succeeded");
    assertEquals(m.steps.b.status, "skipped", "doubled is 6 now");
    assertEquals(m.steps.d.status, "cached", "ordering-only dependents stay cached");
    const why = await lily(["explain", "flow.lock.yaml", "--why", "a"], { cwd: dir });
    assertMatch(why.stdout, /input `n` changed/);
  });
});

const FAILING = `petal: "1"
name: failing
steps:
  - {id: ok1, uses: shell, with: {run: "true"}}
  - {id: boom, uses: shell, with: {run: "echo before; echo bad >&2; exit 3"}}
  - {id: after, uses: shell, needs: [boom], with: {run: "true"}}
  - {id: independent, uses: shell, needs: [ok1], with: {run: "sleep 0.3"}}
  - {id: cleanup, uses: shell, needs: [boom], if: always(), with: {run: "echo cleanup"}}
on_error:
  - {id: notify, uses: shell, if: failure(), with: {run: "echo notified"}}
`;

Deno.test("a failure: exit 1, the log tail is shown, dependents skip, always() and on_error run", async () => {
  await withProject({ "flow.petal": FAILING }, async (dir) => {
    const out = await run(dir, ["--continue", "dependencies-successful", "-j", "1"]);
    assertEquals(out.code, 1);
    assertMatch(out.stdout, /✗ boom.*exited with status 3/);
    assertMatch(out.stdout, /│ bad/);
    const m = latestManifest(dir);
    assertEquals(m.status, "failed");
    assertEquals(m.steps.after.status, "skipped");
    assertEquals(m.steps.independent.status, "succeeded");
    assertEquals(m.steps.cleanup.status, "succeeded");
    assertEquals(m.steps.notify.status, "succeeded");
    assertEquals(m.steps.boom.exit_code, 3);
  });
});

Deno.test("fail-fast (the default) cancels running steps and starts no new ones", async () => {
  const flow = FAILING.replace("sleep 0.3", "sleep 5").replace("needs: [ok1], ", "").replace(
    "exit 3",
    "sleep 0.5; exit 3",
  );
  await withProject({ "flow.petal": flow }, async (dir) => {
    const out = await run(dir, ["-j", "4"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    // `cancelled`, not `succeeded`: the 5 s step was stopped (no clock needed to tell).
    assertEquals(m.steps.independent.status, "cancelled");
    assertEquals(m.steps.notify.status, "succeeded");
  });
});

Deno.test("declared outputs are checked; undeclared ones are not passed on", async () => {
  const flow = `petal: "1"
name: outs
steps:
  - id: wrong_type
    uses: shell
    with: {run: 'echo "n=abc" >> "$LILY_OUTPUT"'}
    outputs: {n: {type: int}}
  - id: missing
    uses: shell
    with: {run: "true"}
    outputs: {f: {type: file, path: out/none.txt}}
  - id: extra
    uses: shell
    with: {run: 'echo "x=1" >> "$LILY_OUTPUT"; echo "y=2" >> "$LILY_OUTPUT"'}
    outputs: {x: {type: int}}
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertMatch(m.steps.wrong_type.error, /output `n` is `int`, but the step wrote "abc"/);
    assertMatch(m.steps.missing.error, /declared output `f` was not written/);
    assertEquals(m.steps.extra.status, "succeeded");
    assertEquals(Object.keys(m.steps.extra.outputs), ["x"]);
    assert(
      latestEvents(dir).some((e) =>
        e.type === "step.output" && e.name === "y" && /undeclared/.test(String(e.reason))
      ),
    );
  });
});

Deno.test("the environment is built from nothing: declared env, inputs, LILY_* — no host leakage", async () => {
  const flow = `petal: "1"
name: env
env: {GLOBAL: g}
steps:
  - id: dump
    uses: shell
    env: {LOCAL: l}
    resources: {env: [ALLOWED_VAR], binaries: [env, sort]}
    with: {run: "env | sort > env.txt"}
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const out = await lily(["run", "flow.lock.yaml"], {
      cwd: dir,
      env: { LEAKY_SECRET: "nope", ALLOWED_VAR: "yes", XDG_CACHE_HOME: `${dir}/.xdg` },
    });
    assertEquals(out.code, 0, out.stderr);
    const env = Deno.readTextFileSync(`${dir}/env.txt`);
    assert(!env.includes("LEAKY_SECRET"), env);
    assertMatch(env, /^GLOBAL=g$/m);
    assertMatch(env, /^LOCAL=l$/m);
    assertMatch(env, /^ALLOWED_VAR=yes$/m);
    assertMatch(env, /^LILY_STEP_ID=dump$/m);
  });
});

Deno.test("--only runs a step and what it needs; --from re-runs a step and what follows", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    const only = await run(dir, ["--only", "b"]);
    assertEquals(only.code, 0, only.stdout);
    let m = latestManifest(dir);
    assertEquals([m.steps.a.status, m.steps.b.status, m.steps.c.status], [
      "succeeded",
      "succeeded",
      "skipped",
    ]);
    assertEquals((await run(dir)).code, 0);
    const from = await run(dir, ["--from", "b"]);
    assertEquals(from.code, 0);
    m = latestManifest(dir);
    assertEquals([m.steps.a.status, m.steps.b.status, m.steps.c.status, m.steps.d.status], [
      "cached",
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    const bad = await run(dir, ["--only", "zz"]);
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /LILY-E0801/);
  });
});

Deno.test("--dry-run says what would run and what is cached, and runs nothing", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    const dry = await run(dir, ["--dry-run"]);
    assertEquals(dry.code, 0);
    assertMatch(dry.stdout, /a: would run \(no entry yet\)/);
    assertMatch(dry.stdout, /b: would run after a/);
    assert(!Deno.statSync(`${dir}`).isFile);
    assertEquals((await run(dir)).code, 0);
    const again = await run(dir, ["--dry-run"]);
    assertMatch(again.stdout, /a: cached/);
  });
});

Deno.test("--events - streams schema-versioned JSON lines with monotonic sequence numbers", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    const out = await run(dir, ["--events", "-"]);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines[0].type, "run.started");
    assertEquals(lines[lines.length - 1].type, "run.finished");
    assertEquals(lines.map((e) => e.seq), lines.map((_, i) => i));
    assert(lines.every((e) => e.v === 1 && typeof e.ts === "string" && e.run === lines[0].run));
  });
});

Deno.test("steps that do not depend on a swept param share cache entries across sweep points", async () => {
  const flow = `petal: "1"
name: sweep
params:
  size: {type: int, default: 1}
steps:
  - {id: fetch, uses: shell, with: {run: 'echo "data=raw" >> "$LILY_OUTPUT"'}, outputs: {data: {type: str}}}
  - id: encode
    uses: shell
    needs: [fetch]
    inputs: {data: {from: steps.fetch.outputs.data}, size: {from: params.size}}
    with: {run: 'echo "$LILY_INPUT_DATA@$LILY_INPUT_SIZE"'}
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const composed = await lily(
      ["compose", "flow.petal", "-m", "size=1,2,3", "-o", "sweep", "-q"],
      { cwd: dir },
    );
    assertEquals(composed.code, 0, composed.stderr);
    const statuses: string[] = [];
    for (const n of [1, 2, 3]) {
      const out = await lily(["run", `sweep/flow.petal.size=${n}.lock.yaml`], {
        cwd: dir,
        env: { XDG_CACHE_HOME: `${dir}/.xdg` },
      });
      assertEquals(out.code, 0, out.stderr);
      const m = latestManifest(dir);
      statuses.push(`${m.steps.fetch.status}/${m.steps.encode.status}`);
    }
    assertEquals(statuses, ["succeeded/succeeded", "cached/succeeded", "cached/succeeded"]);
  });
});

Deno.test("cache policies: never always runs, read-only never writes, human is never cached", async () => {
  const flow = `petal: "1"
name: policies
steps:
  - {id: never, uses: shell, cache: {policy: never}, with: {run: "true"}}
  - {id: ro, uses: shell, cache: {policy: read-only}, with: {run: "true ro"}}
  - {id: wo, uses: shell, cache: {policy: write-only}, with: {run: "true wo"}}
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    await run(dir);
    await run(dir);
    const m = latestManifest(dir);
    assertEquals([m.steps.never.status, m.steps.ro.status, m.steps.wo.status], [
      "succeeded",
      "succeeded",
      "succeeded",
    ]);
    assertEquals(m.steps.never.cache.decision, "disabled");
  });
});

Deno.test("lily cache status, purge and runs show work on a real cache", async () => {
  await withProject({ "flow.petal": DATA }, async (dir) => {
    await run(dir);
    const status = await lily(["cache", "status"], { cwd: dir });
    assertMatch(status.stdout, /entries: 4,/);
    const shown = await lily(["runs", "show", "latest"], { cwd: dir });
    assertMatch(shown.stdout, /a\s+succeeded/);
    const purge = await lily(["cache", "purge", "--all"], { cwd: dir });
    assertMatch(purge.stdout, /removed 4 entries/);
    const after = await run(dir);
    assertEquals(after.code, 0);
    assertEquals(latestManifest(dir).counts.succeeded, 4);
  });
});

Deno.test("json inputs and outputs are checked against their declared schema", async () => {
  const flow = `petal: "1"
name: schema
params:
  cfg: {type: json, default: {size: 720}}
steps:
  - id: good
    uses: shell
    inputs:
      cfg: {from: params.cfg, schema: {type: object, required: [size], properties: {size: {type: integer, minimum: 1}}}}
    with: {run: 'echo "meta={\\"frames\\": 3}" >> "$LILY_OUTPUT"'}
    outputs:
      meta: {type: json, schema: {type: object, required: [frames], properties: {frames: {type: integer}}}}
  - id: bad_output
    uses: shell
    with: {run: 'echo "meta={\\"frames\\": \\"three\\"}" >> "$LILY_OUTPUT"'}
    outputs:
      meta: {type: json, schema: {type: object, properties: {frames: {type: integer}}}}
  - id: bad_input
    uses: shell
    needs: [good]
    inputs:
      meta: {from: steps.good.outputs.meta, schema: {type: object, required: [fps]}}
    with: {run: "true"}
`;
  await withProject({ "flow.petal": flow }, async (dir) => {
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertEquals(m.steps.good.status, "succeeded");
    assertEquals(m.steps.good.outputs.meta.value, { frames: 3 });
    assertMatch(
      m.steps.bad_output.error,
      /output `meta` does not match its schema: \$\.frames: Instance type "string" is invalid\. Expected "integer"/,
    );
    assertMatch(
      m.steps.bad_input.error,
      /input `meta` does not match its schema: \$: Instance does not have required property "fps"/,
    );
  });
});
