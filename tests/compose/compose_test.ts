import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects } from "../_assert.ts";
import { composeSources } from "../../src/pipeline.ts";
import { type LilyError, LilyErrors, renderError, userErrors } from "../../src/errors.ts";
import { tempProject } from "../_tools.ts";
import { canonicalJson } from "../../src/util/canonical_json.ts";

const BASE = `petal: "1"
name: demo
params:
  size: {type: int, default: 480}
  fmt: {type: str, default: mp4}
steps:
  - id: a
    uses: process
    with: {argv: [echo, a]}
    outputs: {o: {type: str}}
  - id: b
    uses: shell
    needs: [a]
    inputs: {x: {from: steps.a.outputs.o}, n: {from: params.size}}
    with: {run: "echo $LILY_INPUT_X"}
`;

async function withProject(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await tempProject(files);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function messages(error: unknown): string {
  return (userErrors(error) ?? []).map((e) => renderError(e)).join("\n");
}

Deno.test("composing twice gives byte-identical locks", async () => {
  await withProject({ "flow.petal": BASE }, async (dir) => {
    const [a] = await composeSources(["flow.petal"], { cwd: dir });
    const [b] = await composeSources(["flow.petal"], { cwd: dir });
    assertEquals(a.text, b.text);
    assertMatch(a.lock.spec_hash, /^sha256:[0-9a-f]{64}$/);
  });
});

Deno.test("reordering keys and steps in a source keeps spec_hash", async () => {
  const reordered = `name: demo
steps:
  - uses: shell
    with: {run: "echo $LILY_INPUT_X"}
    inputs: {n: {from: params.size}, x: {from: steps.a.outputs.o}}
    needs: [a]
    id: b
  - outputs: {o: {type: str}}
    with: {argv: [echo, a]}
    id: a
    uses: process
params:
  fmt: {default: mp4, type: str}
  size: {default: 480, type: int}
petal: "1"
`;
  await withProject({ "flow.petal": BASE, "other.petal": reordered }, async (dir) => {
    const [a] = await composeSources(["flow.petal"], { cwd: dir });
    const [b] = await composeSources(["other.petal"], { cwd: dir });
    assertEquals(a.lock.spec_hash, b.lock.spec_hash);
    assertEquals(canonicalJson(a.lock.plan), canonicalJson(b.lock.plan));
  });
});

Deno.test("changing a param changes spec_hash and only the steps that read it", async () => {
  await withProject({ "flow.petal": BASE }, async (dir) => {
    const [a] = await composeSources(["flow.petal"], { cwd: dir });
    const [b] = await composeSources(["flow.petal"], { cwd: dir, params: { size: "720" } });
    assertNotEquals(a.lock.spec_hash, b.lock.spec_hash);
    assertEquals(b.lock.params.size, { type: "int", value: 720 });
    // The key's static part does not hold param values; they enter through inputs at run time.
    assertEquals(a.lock.plan.steps[1].cache.static, b.lock.plan.steps[1].cache.static);
  });
});

Deno.test("-p values are typed by the param's declaration", async () => {
  await withProject({ "flow.petal": BASE }, async (dir) => {
    const error = await assertRejects(() =>
      composeSources(["flow.petal"], { cwd: dir, params: { size: "big" } })
    );
    assertEquals((error as LilyError).code, "LILY-E0305");
    assertEquals((error as LilyError).flag, "-p size=big");
  });
});

Deno.test("sweeps write one lock per point, with deterministic names", async () => {
  await withProject({ "flow.petal": BASE }, async (dir) => {
    const points = await composeSources(["flow.petal"], {
      cwd: dir,
      sweep: { size: ["480", "720"], fmt: ["mp4", "webm"] },
    });
    assertEquals(points.length, 4);
    assertEquals(
      points.map((p) => p.outputPath.slice(dir.length + 1)),
      [
        "locks/flow.petal.fmt=mp4,size=480.lock.yaml",
        "locks/flow.petal.fmt=mp4,size=720.lock.yaml",
        "locks/flow.petal.fmt=webm,size=480.lock.yaml",
        "locks/flow.petal.fmt=webm,size=720.lock.yaml",
      ],
    );
    assertEquals(new Set(points.map((p) => p.lock.spec_hash)).size, 4);
    assertEquals(points[3].lock.provenance.sweep, { fmt: "webm", size: "720" });
  });
});

Deno.test("extends merges the base, and steps merge by id", async () => {
  await withProject({
    "flows/base.petal": BASE,
    "flows/child.petal": `petal: "1"
name: child
extends: base.petal
steps:
  - id: a
    env: {MODE: fast}
  - id: c
    uses: shell
    needs: [b]
    with: {run: "true"}
`,
  }, async (dir) => {
    const [point] = await composeSources(["flows/child.petal"], { cwd: dir });
    const ids = point.lock.plan.steps.map((s) => s.id);
    assertEquals(ids, ["a", "b", "c"]);
    const a = point.lock.plan.steps[0];
    assertEquals(a.env, { MODE: "fast" });
    assertEquals(a.with, { argv: ["echo", "a"] });
    assertEquals(point.projectRoot, dir);
    assertEquals(point.lock.provenance.sources.map((s) => [s.path, s.role]), [
      ["flows/child.petal", "flow"],
      ["flows/base.petal", "base"],
    ]);
  });
});

Deno.test("an extends cycle is shown as a path", async () => {
  await withProject({
    "a.petal": `petal: "1"\nname: a\nextends: b.petal\nsteps: []\n`,
    "b.petal": `petal: "1"\nname: b\nextends: a.petal\nsteps: []\n`,
  }, async (dir) => {
    const error = await assertRejects(() => composeSources(["a.petal"], { cwd: dir })) as LilyError;
    assertEquals(error.code, "LILY-E0308");
    assertMatch(error.message, /a\.petal → b\.petal → a\.petal/);
  });
});

Deno.test("a shape conflict names both files and lines", async () => {
  await withProject({
    "flow.petal": BASE.replace("steps:", "env: {A: x}\nsteps:"),
    "patch.yaml": "env: [not, a, map]\n",
  }, async (dir) => {
    const error = await assertRejects(() =>
      composeSources(["flow.petal", "patch.yaml"], { cwd: dir })
    ) as LilyError;
    assertEquals(error.code, "LILY-E0301");
    const text = renderError(error);
    assertMatch(text, /patch\.yaml:1:\d+/);
    assertMatch(text, /flow\.petal:6:\d+/);
  });
});

Deno.test("an overlay cannot change a step's kind without !replace", async () => {
  await withProject({
    "flow.petal": BASE,
    "patch.yaml": "steps:\n  - id: a\n    uses: shell\n",
    "replace.yaml":
      "steps:\n  - !replace {id: a, uses: shell, with: {run: 'echo r'}, outputs: {o: {type: str}}}\n",
  }, async (dir) => {
    const error = await assertRejects(() =>
      composeSources(["flow.petal", "patch.yaml"], { cwd: dir })
    ) as LilyError;
    assertEquals(error.code, "LILY-E0302");
    const [point] = await composeSources(["flow.petal", "replace.yaml"], { cwd: dir });
    assertEquals(point.lock.plan.steps[0].with, { run: "echo r" });
  });
});

Deno.test("!append appends to a list instead of replacing it", async () => {
  await withProject({
    "flow.petal": BASE,
    "patch.yaml": "steps:\n  - id: a\n    with:\n      argv: !append [more]\n",
    "dup.yaml": "steps: !append\n  - {id: a, uses: process, with: {argv: [x]}}\n",
  }, async (dir) => {
    const [point] = await composeSources(["flow.petal", "patch.yaml"], { cwd: dir });
    assertEquals(point.lock.plan.steps[0].with, { argv: ["echo", "a", "more"] });
    const error = await assertRejects(() =>
      composeSources(["flow.petal", "dup.yaml"], { cwd: dir })
    ) as LilyError;
    assertEquals(error.code, "LILY-E0314");
  });
});

Deno.test("profiles set params, and the lock records them", async () => {
  await withProject({
    "flow.petal": BASE,
    ".lilyrc": "profile: local\n",
    "profiles/local.yaml": "params: {size: 240}\n",
    "profiles/ci.yaml": "params: {size: 1080}\nenv: {CI: '1'}\n",
  }, async (dir) => {
    const [local] = await composeSources(["flow.petal"], { cwd: dir });
    assertEquals(local.lock.params.size, { type: "int", value: 240 });
    assertEquals(local.lock.provenance.profile, "local");
    const [ci] = await composeSources(["flow.petal"], { cwd: dir, profile: "ci" });
    assertEquals(ci.lock.params.size, { type: "int", value: 1080 });
    assertEquals(ci.lock.plan.steps[0].env, { CI: "1" });
    const [cli] = await composeSources(["flow.petal"], {
      cwd: dir,
      profile: "ci",
      params: { size: "5" },
    });
    assertEquals(cli.lock.params.size, { type: "int", value: 5 });
    const error = await assertRejects(() =>
      composeSources(["flow.petal"], { cwd: dir, profile: "cl" })
    ) as LilyError;
    assertEquals(error.code, "LILY-E0313");
    assertMatch(error.hint ?? "", /did you mean `ci`/);
  });
});

Deno.test("a profile setting an undeclared param is located in the profile", async () => {
  await withProject({
    "flow.petal": BASE,
    "profiles/x.yaml": "params:\n  sise: 240\n",
  }, async (dir) => {
    const error = await assertRejects(() =>
      composeSources(["flow.petal"], { cwd: dir, profile: "x" })
    );
    const text = messages(error);
    assertMatch(text, /LILY-E0304/);
    assertMatch(text, /profiles\/x\.yaml:2:3/);
    assertMatch(text, /did you mean `size`/);
  });
});

Deno.test("secret params are markers in the lock, never values", async () => {
  await withProject({
    "flow.petal": `petal: "1"
name: s
params:
  token: {type: secret, source: "env:API_TOKEN"}
steps:
  - id: a
    uses: shell
    inputs: {token: {from: params.token}}
    resources: {binaries: [curl]}
    with: {run: "curl -H \\"Authorization: $LILY_INPUT_TOKEN\\" x"}
`,
  }, async (dir) => {
    const [point] = await composeSources(["flow.petal"], {
      cwd: dir,
      getEnv: (n) => n === "API_TOKEN" ? "hunter2" : undefined,
    });
    assertEquals(point.lock.params.token, {
      type: "secret",
      secret: true,
      source: "env:API_TOKEN",
      required: true,
    });
    assertEquals(point.lock.plan.steps[0].inputs.token.type, "secret");
    assert(!point.text.includes("hunter2"));
    const error = await assertRejects(() =>
      composeSources(["flow.petal"], { cwd: dir, params: { token: "x" } })
    ) as LilyError;
    assertEquals(error.code, "LILY-E0306");
  });
});

Deno.test("several errors in one file are all reported, in source order", async () => {
  await withProject({
    "flow.petal": `petal: "1"
name: x
steps:
  - {id: a, uses: shell, needs: [zz], with: {run: "true"}}
  - {id: b, uses: shell, needs: [yy], with: {run: "true"}}
`,
  }, async (dir) => {
    const error = await assertRejects(() => composeSources(["flow.petal"], { cwd: dir }));
    assert(error instanceof LilyErrors);
    assertEquals(error.errors.map((e) => e.span?.line), [4, 5]);
  });
});

Deno.test("CRLF line ends and a BOM give the same lock bytes (checkouts on Windows)", async () => {
  await withProject({
    "flow.petal": BASE,
    "crlf/flow.petal": "\uFEFF" + BASE.replaceAll("\n", "\r\n"),
  }, async (dir) => {
    const [lf] = await composeSources(["flow.petal"], { cwd: dir, output: `${dir}/a.lock.yaml` });
    const [crlf] = await composeSources(["crlf/flow.petal"], {
      cwd: dir,
      output: `${dir}/crlf/a.lock.yaml`,
    });
    assertEquals(crlf.text, lf.text);
  });
});

Deno.test("a source over the size limit is a clear error", async () => {
  await withProject(
    { "flow.petal": BASE + "#" + "x".repeat(8 * 1024 * 1024) + "\n" },
    async (dir) => {
      const error = await assertRejects(() =>
        composeSources(["flow.petal"], { cwd: dir })
      ) as LilyError;
      assertEquals(error.code, "LILY-E0103");
    },
  );
});
