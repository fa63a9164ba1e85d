/**
 * Small truths from a new user's trial: error codes agree with docs/errors.md, an ambiguous run
 * prefix and an unknown cache namespace are errors (never a silent pick or "removed 0").
 */
import { assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: 1
name: small
steps:
  - id: a
    uses: shell
    with: {run: 'echo a'}
`;

Deno.test("no workflow given is E0002, as documented", async () => {
  for (const cmd of ["compose", "run", "explain"]) {
    const out = await lily([cmd]);
    assertEquals(out.code, 2, out.stderr);
    assertMatch(out.stderr, /^error\[LILY-E0002\]: no workflow given/m);
  }
});

Deno.test("an ambiguous run prefix lists the runs; an unknown namespace is not 'removed 0'", async () => {
  // `petal: 1` (unquoted) is accepted, as docs/petal.md says.
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = await lily(["run", "flow.petal", "--json"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr);
      ids.push(JSON.parse(out.stdout).run_id);
    }
    const prefix = ids[0].slice(0, 4);
    assertEquals(ids[1].startsWith(prefix), true);
    for (const args of [["runs", "show", prefix], ["logs", prefix]]) {
      const out = await lily(args, { cwd: dir, env });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, new RegExp(`LILY-E0052\\]: \`${prefix}\` matches 2 runs`));
      for (const id of ids) assertMatch(out.stderr, new RegExp(id));
    }
    const full = await lily(["runs", "show", ids[0]], { cwd: dir, env });
    assertEquals(full.code, 0, full.stderr);
    const purge = await lily(["cache", "purge", "--namespace", "sha256:doesnotexist"], {
      cwd: dir,
      env,
    });
    assertEquals(purge.code, 2, purge.stdout + purge.stderr);
    assertMatch(purge.stderr, /LILY-E0053\]: no cache namespace `sha256:doesnotexist`/);
    assertMatch(purge.stderr, /known here: `sha256:[0-9a-f]{64}`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("schema errors in Lily's words: a duration hint, number bounds, `=` under the gutter", async () => {
  const dir = await tempProject({
    "t.petal": `petal: "1"
name: t
steps:
  - id: a
    uses: shell
    timeout: 90
    retries: {max: -1}
    with: {run: echo}
`,
  });
  try {
    const out = await lily(["compose", "t.petal"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    assertMatch(
      out.stderr,
      /LILY-E0205\].*`timeout`[^\n]*\n(.*\n){4} {2}= hint: a duration has a unit: `timeout: 90s`/,
    );
    assertMatch(
      out.stderr,
      /LILY-E0206\]: `retries\.max` of step `a` must be at least 0, not -1\n/,
    );
    assertEquals(out.stderr.includes("Too small"), false, out.stderr);
    // One-digit line numbers: `|` is in column 3, and so is every `=`.
    for (const line of out.stderr.split("\n").filter((l) => /^\s+[|=]/.test(l))) {
      assertEquals(line.search(/[|=]/), 2, line);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hints name the real param and the real problem (E0303, E0004, E0507)", async () => {
  const dir = await tempProject({
    "p.petal": `petal: "1"
name: p
params:
  width: {type: int, required: true}
  mode: {type: str, required: true, choices: [fast, slow]}
steps:
  - id: a
    uses: shell
    with: {run: 'echo "x=1" >> "$LILY_OUTPUT"'}
    outputs: {x: {type: int}}
  - id: b
    uses: shell
    if: steps.a.outputs.x == 1
    with: {run: echo}
`,
  });
  try {
    const text = await Deno.readTextFile(`${dir}/p.petal`);
    await Deno.writeTextFile(`${dir}/q.petal`, text.replace(/ {4}if: .*\n/, ""));
    const missing = await lily(["compose", "q.petal"], { cwd: dir });
    assertEquals(missing.code, 2, missing.stderr);
    assertMatch(missing.stderr, /hint: pass `-p width=<int>`/);
    assertMatch(missing.stderr, /hint: pass `-p mode=fast`/);
    const bad = await lily(["compose", "q.petal", "-p", "width"], { cwd: dir });
    assertMatch(bad.stderr, /LILY-E0004[\s\S]*hint: write `-p width=VALUE`/);
    const needs = await lily(["compose", "p.petal", "-p", "width=1", "-p", "mode=fast"], {
      cwd: dir,
    });
    assertEquals(needs.code, 2, needs.stderr);
    assertMatch(needs.stderr, /\^ not in this step's `needs`/);
    assertMatch(needs.stderr, /hint: .*add `a` to this step's `needs:`/);
    assertEquals(needs.stderr.includes("unknown step here"), false, needs.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hint never proposes a key the step already has (binaries, inputs)", async () => {
  const dir = await tempProject({
    "data.txt": "hi\n",
    "b.petal": `petal: "1"
name: b
params:
  n: {type: int, default: 1}
steps:
  - id: has
    uses: shell
    inputs: {n: {from: params.n}}
    with: {run: 'cat data.txt; sort data.txt | uniq'}
    resources: {binaries: [cat]}
  - id: bare
    uses: shell
    with: {run: 'sort x | uniq'}
`,
  });
  try {
    const out = await lily(["compose", "b.petal", "-o", "-"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    const hints = out.stderr.split("\n").filter((l) => l.includes("= hint"));
    // `has` declares resources.binaries: add to the list, and one line for both programs.
    assertMatch(hints[0], /add `sort` to this step's `resources\.binaries` list/);
    assertMatch(hints[0], /all of them: add sort, uniq to `resources\.binaries`/);
    assertMatch(hints[0], /add `sort` to `allowed_binaries` in \.lilyrc/);
    // `bare` has no resources: the whole line, with both programs.
    assertMatch(
      hints[2],
      /`resources: \{binaries: \[sort\]\}`.*`resources: \{binaries: \[sort, uniq\]\}`/,
    );
    const fixed = (await Deno.readTextFile(`${dir}/b.petal`)).replace("[cat]", "[cat, sort, uniq]")
      .replace(/ {2}- id: bare[\s\S]*/, "");
    await Deno.writeTextFile(`${dir}/b.petal`, fixed);
    const warned = await lily(["compose", "b.petal", "-o", "-"], { cwd: dir });
    assertEquals(warned.code, 0, warned.stderr);
    assertMatch(
      warned.stderr,
      /LILY-E0321[\s\S]*add `data_txt: \{path: data\.txt\}` to this step's `inputs:`/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("param errors come with schema errors in one round; plan errors wait", async () => {
  const dir = await tempProject({
    "three.petal": `petal: "1"
name: three
params:
  size: {type: int, required: true}
steps:
  - id: a
    uses: shell
    with: {run: echo}
    timout: 5s
  - id: b
    uses: shell
    needs: [nosuch]
    with: {run: echo}
`,
  });
  try {
    const first = await lily(["compose", "three.petal", "-p", "colour=red"], { cwd: dir });
    assertEquals(first.code, 2, first.stderr);
    const codes = [...first.stderr.matchAll(/^error\[(LILY-E\d+)\]/gm)].map((m) => m[1]);
    assertEquals(codes.sort(), ["LILY-E0201", "LILY-E0303", "LILY-E0304"]);
    await Deno.writeTextFile(
      `${dir}/three.petal`,
      (await Deno.readTextFile(`${dir}/three.petal`)).replace("timout", "timeout"),
    );
    const second = await lily(["compose", "three.petal", "-p", "size=1"], { cwd: dir });
    assertEquals(second.code, 2, second.stderr);
    assertMatch(second.stderr, /nosuch/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
