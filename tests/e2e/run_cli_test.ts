// `lily run` as a command line: stale locks, flag forms, the project root, run directories.
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { hasTool, lily } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const FLOW = `petal: "1"
name: cli
steps:
  - {id: a, uses: shell, with: {run: "echo a"}}
  - {id: b, uses: shell, with: {run: "echo b"}}
  - {id: c, uses: shell, needs: [a], with: {run: "echo c"}}
`;

Deno.test("a stale lock runs with a one-line warning; --locked prints the diff it announces", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const fresh = await run(dir);
    assertEquals(fresh.code, 0, fresh.stderr);
    assertNotMatch(fresh.stderr, /stale/);
    await Deno.writeTextFile(`${dir}/flow.petal`, FLOW.replace('"echo b"', '"echo B"'));
    const stale = await run(dir);
    assertEquals(stale.code, 0, stale.stderr);
    const warnings = stale.stderr.split("\n").filter((l) => /stale/.test(l));
    assertEquals(warnings.length, 1, stale.stderr);
    assertMatch(warnings[0], /^warning: flow\.lock\.yaml is stale: .*flow\.petal.* changed/);
    const locked = await run(dir, ["--locked"]);
    assertEquals(locked.code, 2);
    assertMatch(locked.stderr, /LILY-E0803/);
    assertMatch(locked.stderr, /with\.run: "echo b" → "echo B"/, "the diff itself is shown");
    assertNotMatch(locked.stderr, /diff below/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--only takes `a,b` and repeats; it never swallows the lock; unknown ids get a did-you-mean", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    for (
      const args of [
        ["run", "--only", "b,c", "flow.lock.yaml"],
        ["run", "--only", "b", "--only", "c", "flow.lock.yaml"],
        ["run", "flow.lock.yaml", "--only=b,c"],
      ]
    ) {
      const out = await lily(args, { cwd: dir, env });
      assertEquals(out.code, 0, `${args.join(" ")}: ${out.stderr}`);
      const m = latestManifest(dir);
      assertEquals(
        Object.entries(m.steps as Record<string, { status: string }>).filter(([, s]) =>
          s.status !== "skipped"
        ).map(([id]) => id)
          .sort(),
        ["a", "b", "c"],
        "b, c and what c needs",
      );
    }
    const runsBefore = [...Deno.readDirSync(`${dir}/.lily/runs`)].length;
    const typo = await lily(["run", "flow.lock.yaml", "--only", "b,cc"], { cwd: dir, env });
    assertEquals(typo.code, 2);
    assertMatch(typo.stderr, /LILY-E0801[\s\S]*did you mean `c`\?/);
    const from = await lily(["run", "flow.lock.yaml", "--from", "bb"], { cwd: dir, env });
    assertEquals(from.code, 2);
    assertMatch(from.stderr, /LILY-E0802[\s\S]*did you mean `b`\?/);
    assertEquals(
      [...Deno.readDirSync(`${dir}/.lily/runs`)].length,
      runsBefore,
      "a failed invocation leaves no run directory",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("several locks and -m sweeps run in turn, with one summary table", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: swept
params:
  n: {type: int, default: 1}
steps:
  - id: show
    uses: shell
    inputs: {n: {from: params.n}}
    with: {run: 'echo "n=$LILY_INPUT_N" >> "$LILY_OUTPUT"'}
    outputs: {n: {type: int}}
`,
  });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    await lily(["compose", "flow.petal", "-o", "two.lock.yaml", "-q", "-p", "n=2"], { cwd: dir });
    const two = await lily(["run", "flow.lock.yaml", "two.lock.yaml"], { cwd: dir, env });
    assertEquals(two.code, 0, two.stderr);
    assertMatch(two.stdout, /^run\s+status\s+ran/m);
    assertMatch(two.stdout, /^flow\.lock\.yaml\s+succeeded\s+1/m);
    assertMatch(two.stdout, /^two\.lock\.yaml\s+succeeded\s+1/m);
    const swept = await lily(["run", "flow.petal", "-m", "n=3,4,5"], { cwd: dir, env });
    assertEquals(swept.code, 0, swept.stderr);
    for (const n of [3, 4, 5]) {
      assertMatch(swept.stdout, new RegExp(`^flow\\.petal n=${n}\\s+succeeded`, "m"));
    }
    const values = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) =>
      JSON.parse(Deno.readTextFileSync(`${dir}/.lily/runs/${e.name}/manifest.json`))
    ).map((m) => m.steps.show.outputs.n?.value).sort();
    assertEquals(values, [1, 2, 3, 4, 5]);
    const badSweep = await lily(["run", "flow.lock.yaml", "-m", "n=1,2"], { cwd: dir, env });
    assertEquals(badSweep.code, 2);
    assertMatch(badSweep.stderr, /LILY-E0831/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run commands work from a subdirectory; .lily/ ignores itself; runs show has outputs and attempts", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: sub
steps:
  - id: make
    uses: shell
    with: {run: 'mkdir -p out; echo hi > out/x.txt; echo "word=hello" >> "$LILY_OUTPUT"'}
    outputs: {word: {type: str}, file: {type: file, path: out/x.txt}}
  - id: flaky
    uses: shell
    retries: {max: 1, backoff: 10ms}
    with: {run: 'if [ -f tried ]; then exit 0; fi; touch tried; exit 1'}
`,
    "src/deep/keep.txt": "",
  });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const sub = `${dir}/src/deep`;
    const out = await lily(["run", "../../flow.lock.yaml"], { cwd: sub, env });
    assertEquals(out.code, 0, out.stderr);
    assertEquals(Deno.readTextFileSync(`${dir}/.lily/.gitignore`).split("\n").includes("*"), true);
    assert(!exists(`${sub}/.lily`), "no .lily/ in the subdirectory");
    const list = await lily(["runs"], { cwd: sub, env });
    assertEquals(list.code, 0, list.stderr);
    assertMatch(list.stdout, /succeeded\s+sub/);
    const show = await lily(["runs", "show", "latest"], { cwd: sub, env });
    assertEquals(show.code, 0, show.stderr);
    assertMatch(show.stdout, /output word = "hello"/);
    assertMatch(show.stdout, /output file = out\/x\.txt\s+sha256:[0-9a-f]{12}\s+3 B/);
    assertMatch(show.stdout, /flaky\s+succeeded.*2 attempts/);
    const logs = await lily(["logs", "latest"], { cwd: sub, env });
    assertEquals(logs.code, 0, logs.stderr);
    const status = await lily(["cache", "status"], { cwd: sub, env });
    assertEquals(status.code, 0, status.stderr);
    assertMatch(status.stdout, new RegExp(`${dir.replaceAll("/", "\\/")}\\/\\.lily\\/cache`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a step that fails with the network off says it ran without network (only then)", async () => {
  const python = hasTool("python3");
  const pythonSteps = python
    ? `  - {id: pysys, uses: python, with: {code: "import os\\nos.system('id')"}}
  - {id: pyexc, uses: python, with: {code: "raise ValueError('x')"}}
`
    : "";
  const dir = await project({
    "flow.petal": `petal: "1"
name: offline
steps:
  - id: fetch
    uses: shell
    resources: {binaries: [sh]}
    with: {run: "echo cannot reach the server >&2; sh -c 'exit 6'"}
  - {id: online, uses: shell, resources: {network: true, binaries: [sh]}, with: {run: "sh -c 'exit 6'"}}
  - {id: typed, uses: shell, outputs: {n: {type: int}}, with: {run: "echo n=abc >> \\"$LILY_OUTPUT\\""}}
  - {id: shellerr, uses: shell, with: {run: "echo $((1/0))"}}
  - {id: noprog, uses: shell, with: {run: "exit 6"}}
  - {id: builtins, uses: shell, resources: {binaries: [sh]}, with: {run: "echo no program; exit 3"}}
${pythonSteps}`,
  });
  try {
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1);
    assertMatch(out.stdout, /✗ fetch[^\n]*\n(?:.*\n)*?\s+= note: it ran without network/);
    const m = latestManifest(dir);
    assertMatch(m.steps.fetch.notes[0], /without network/);
    assertEquals(m.steps.online.notes, undefined, "a step with network gets no such note");
    // Failures the network cannot explain get no note: an output of the wrong type, an error
    // of Lily's shell, a script that starts no program (even one that may start `sh`), python's
    // audit-hook refusal (its own message names resources.network for sockets) and an exception
    // in a step that starts none.
    const quiet = ["typed", "shellerr", "noprog", "builtins"];
    for (const id of [...quiet, ...(python ? ["pysys", "pyexc"] : [])]) {
      assertEquals(m.steps[id].status, "failed", id);
      assertEquals(m.steps[id].notes, undefined, `${id}: ${m.steps[id].notes}`);
    }
    assertEquals((out.stdout.match(/= note: it ran without network/g) ?? []).length, 1, out.stdout);
    const show = await lily(["runs", "show", "latest"], { cwd: dir });
    assertMatch(show.stdout, /= note: it ran without network/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
