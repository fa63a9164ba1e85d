// Several errors in one source are all reported, in source order, with exit status 2: never an
// internal error because a position was read (to sort them) before the locator was loaded.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

/** The `--> file:line:col` locations of the errors, in the order they were printed. */
function locations(stderr: string): string[] {
  return [...stderr.matchAll(/^ {2}--> (\S+:\d+:\d+)$/gm)].map((m) => m[1]);
}

function assertNoCrash(stderr: string): void {
  assert(!/internal error|ensureLocator|\n\s+at [\w.<]+ \(/.test(stderr), stderr);
}

const GOOD = `petal: "1"
name: ok
steps:
  - id: a
    uses: shell
    with: {run: "echo hi"}
`;

Deno.test("a .petal with three schema errors reports all three in source order, exit 2", async () => {
  // Written so zod's issue order differs from the source order (the `uses` enum issue of the
  // last step comes before the unknown keys of the first).
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: three
steps:
  - id: a
    uses: shell
    nme: x
    with: {run: "echo hi"}
  - id: b
    uses: shel
    with: {run: "echo hi"}
    timeout: soon
`,
  });
  try {
    const { code, stdout, stderr } = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertEquals(stdout, "");
    assertNoCrash(stderr);
    assertEquals(locations(stderr), ["flow.petal:6:5", "flow.petal:9:11", "flow.petal:11:14"]);
    assert(stderr.includes("\n3 errors"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a .lilyrc with three errors reports all three in source order, exit 2", async () => {
  const dir = await tempProject({
    "flow.petal": GOOD,
    ".lilyrc": "network_default: maybe\nprofle: x\njobs: 0\n",
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    assertEquals(locations(stderr), [".lilyrc:1:18", ".lilyrc:2:1", ".lilyrc:3:7"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock given to compose is one error (E0213), not a list of fields it lacks", async () => {
  const dir = await tempProject({ "flow.petal": GOOD });
  try {
    const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(composed.code, 0, composed.stderr);
    const { code, stderr } = await lily(["compose", "flow.lock.yaml", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    // What the file is, and nothing after: every field error would only restate it.
    assertMatch(stderr, /^error\[LILY-E0213\]: `flow\.lock\.yaml` is a lock file, not a workflow/);
    assertMatch(stderr, /= hint: compose takes the workflow this lock came from \(`flow\.petal`\)/);
    assertEquals(stderr.match(/^error\[/gm)?.length, 1, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`run` on a .petal with two errors reports both, exit 2", async () => {
  const dir = await tempProject({
    "flow.petal": GOOD.replace("uses: shell", "uses: shel").replace("name: ok", "nam: ok"),
  });
  try {
    const { code, stderr } = await lily(["run", "flow.petal"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    assertEquals(locations(stderr).length >= 2, true, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock broken in two steps reports both, each at its own line, exit 2", async () => {
  const dir = await tempProject({
    "flow.petal": GOOD + `  - id: b
    uses: shell
    with: {run: "echo b"}
`,
  });
  try {
    const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(composed.code, 0, composed.stderr);
    const text = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    const edited = text.replaceAll("      uses: shell\n", "      uses: 42\n");
    const lines = edited.split("\n").flatMap((l, i) => l === "      uses: 42" ? [i + 1] : []);
    assertEquals(lines.length, 2);
    await Deno.writeTextFile(`${dir}/flow.lock.yaml`, edited);
    const { code, stderr } = await lily(["run", "flow.lock.yaml"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    assertEquals(locations(stderr), lines.map((l) => `flow.lock.yaml:${l}:13`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("template errors in several steps are all reported in one compose", async () => {
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: templates
params:
  n: {type: str, default: "x"}
steps:
  - id: a
    uses: shell
    with: {run: 'echo \`{{ params.n }}\`'}
  - id: b
    uses: shell
    with: {run: 'echo $(( {{ params.n }} ))'}
  - id: c
    uses: shell
    with: {run: 'echo {{ params.nope | upper }}'}
`,
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    assertEquals(locations(stderr), ["flow.petal:8:24", "flow.petal:11:27", "flow.petal:14:18"]);
    assertMatch(stderr, /error\[LILY-E0403\]: template: `upper` got an undefined value/);
    assertMatch(stderr, /^3 errors$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
