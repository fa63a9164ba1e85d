// The real CLI as a subprocess: help, exit codes, and the exact text of key outputs.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { assertGolden } from "../_golden.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: e2e
params:
  size: {type: int, default: 1}
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

Deno.test("`lily --help` lists every command", async () => {
  const { code, stdout } = await lily(["--help"]);
  assertEquals(code, 0);
  await assertGolden("help.txt", stdout);
});

Deno.test("every command has --help with examples", async () => {
  for (
    const name of ["compose", "run", "verify", "diff", "explain", "sync", "lock", "cache", "runs"]
  ) {
    const { code, stdout } = await lily([name, "--help"]);
    assertEquals(code, 0, name);
    assertMatch(stdout, /Examples:\n {2}lily /, name);
  }
});

Deno.test("`lily run --help` wraps its description as one paragraph (no line of one or two words)", async () => {
  const { code, stdout } = await lily(["run", "--help"]);
  assertEquals(code, 0);
  const description = stdout.split("\n\n")[1].split("\n");
  // Each line but the last is filled: no break left in mid-sentence by a hard newline.
  for (const line of description.slice(0, -1)) assert(line.length > 60, JSON.stringify(line));
});

Deno.test("an unknown command suggests the closest one and exits 2", async () => {
  const { code, stderr } = await lily(["compse"]);
  assertEquals(code, 2);
  assertMatch(stderr, /did you mean `lily compose`/);
});

Deno.test("an unknown flag is a Lily error, not a stack trace", async () => {
  const { code, stderr } = await lily(["compose", "--nope", "x.petal"]);
  assertEquals(code, 2);
  assertMatch(stderr, /error\[LILY-E0003\]: unknown option '--nope'/);
});

Deno.test("compose writes the lock, verify passes, diff and explain read it", async () => {
  const dir = await tempProject({ "flows/e2e.petal": FLOW });
  try {
    const composed = await lily(["compose", "flows/e2e.petal"], { cwd: dir });
    assertEquals(composed.code, 0, composed.stderr);
    assertMatch(
      composed.stdout,
      /composed locks\/e2e\.petal\.lock\.yaml {2}\(2 steps, 2 levels, sha256:/,
    );
    const lock = await Deno.readTextFile(`${dir}/locks/e2e.petal.lock.yaml`);
    const again = await lily(["compose", "flows/e2e.petal", "-o", "-"], { cwd: dir });
    assertEquals(again.stdout, lock, "stdout and file are the same bytes");
    const verify = await lily(["verify", "locks/e2e.petal.lock.yaml", "--recompose"], { cwd: dir });
    assertEquals(verify.code, 0, verify.stdout + verify.stderr);
    await Deno.writeTextFile(`${dir}/flows/e2e.petal`, FLOW.replace("echo, a", "echo, z"));
    const drift = await lily(["verify", "locks/e2e.petal.lock.yaml", "--recompose"], { cwd: dir });
    assertEquals(drift.code, 1);
    assertMatch(drift.stdout, /drift: flow `flows\/e2e\.petal` changed/);
    const diff = await lily(["diff", "locks/e2e.petal.lock.yaml", "flows/e2e.petal"], { cwd: dir });
    assertEquals(diff.code, 1);
    await assertGolden(
      "diff_changed_command.txt",
      diff.stdout.replace(/sha256:[0-9a-f]{12}/g, "sha256:…"),
    );
    const explain = await lily(["explain", "locks/e2e.petal.lock.yaml"], { cwd: dir });
    assertEquals(explain.code, 0);
    await assertGolden(
      "explain_text.txt",
      explain.stdout.replace(/sha256:[0-9a-f]+/g, "sha256:…").replace(/key [0-9a-f]{12}/g, "key …"),
    );
    for (const format of ["json", "dot", "mermaid"]) {
      const out = await lily(["explain", "locks/e2e.petal.lock.yaml", "--format", format], {
        cwd: dir,
      });
      assertEquals(out.code, 0, format);
      if (format === "json") assertEquals(JSON.parse(out.stdout).levels, [["a"], ["b"]]);
    }
    const dot = await lily(["explain", "flows/e2e.petal", "--format", "dot"], { cwd: dir });
    assertMatch(dot.stdout, /"a" -> "b" \[label="o→x"\];/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a located compose error renders with an excerpt and caret", async () => {
  const dir = await tempProject({ "flow.petal": FLOW.replace("needs: [a]", "needs: [aa]") });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal"], { cwd: dir });
    assertEquals(code, 2);
    await assertGolden("error_missing_needs.txt", stderr);
    assert(!stderr.includes("    at "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated lock is a clear error", async () => {
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    await lily(["compose", "flow.petal", "-o", "x.lock.yaml"], { cwd: dir });
    const text = await Deno.readTextFile(`${dir}/x.lock.yaml`);
    await Deno.writeTextFile(`${dir}/x.lock.yaml`, text.slice(0, Math.floor(text.length / 2)));
    const { code, stderr } = await lily(["explain", "x.lock.yaml"], { cwd: dir });
    assertEquals(code, 2);
    assertMatch(stderr, /LILY-E0702.*not a valid lock file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
