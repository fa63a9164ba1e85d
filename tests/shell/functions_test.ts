// Functions, positional parameters and `set --` in Lily's shell: recursion has a bound (an error,
// not a crash), a function's body is checked at compose like any script, calling a function
// starts no program (so it needs no `resources.binaries`), and `$1` is allowed inside a function
// body and after `set --`, but still refused (E0635) at a top level that never sets it.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, lily, tempProject } from "../_tools.ts";
import { MAX_FUNCTION_DEPTH } from "../../src/shell/exec.ts";
import { shIn } from "./_run.ts";

Deno.test("functions: unbounded recursion ends the script with status 2 and a message", async () => {
  const out = await shIn("f() { f; }; f; echo never");
  assertEquals(out.exitCode, 2);
  assertEquals(out.stdout, "");
  assertMatch(out.stderr, new RegExp(`f: functions nest deeper than ${MAX_FUNCTION_DEPTH} calls`));
  // Just under the bound is fine.
  const deep = await shIn(
    `n=0; f() { n=$((n + 1)); [ $n -ge ${MAX_FUNCTION_DEPTH} ] || f; }; f; echo $n`,
  );
  assertEquals(deep.exitCode, 0, deep.stderr);
  assertEquals(deep.stdout, `${MAX_FUNCTION_DEPTH}\n`);
});

Deno.test("functions: unbounded recursion through a pipeline or `$( )` ends that stage, not Lily", async () => {
  for (const script of ["f() { echo x | f; }; f; echo st=$?", "f() { x=$(f); }; f; echo st=$?"]) {
    const out = await shIn(script, { startOptions: { errexit: false } });
    assertMatch(out.stderr, /functions nest deeper than 1000 calls/);
    assert(out.stdout.endsWith("st=2\n"), `${script}: ${out.stdout}`);
  }
});

Deno.test("functions: a program started inside a function body still goes through the policy", async () => {
  const out = await shIn("f() { id -u; }; f", { binaries: {} });
  assertEquals(out.denied?.target, "id");
});

Deno.test("functions: `local` restores the value at return; outside a function it fails", async () => {
  const out = await shIn(
    'x=1; export x; f() { local x=2 y; y=3; echo "$x$y"; g; }; g() { echo "g$x"; }; f; echo "$x[$y]"; printenv x; set +e; local z; echo "st=$?"',
  );
  assertEquals(out.stdout, "23\ng2\n1[]\n1\nst=2\n");
});

function flow(run: string, binaries = ""): string {
  return `petal: "1"
name: fn
steps:
  - id: s
    uses: shell
${binaries ? `    resources: { binaries: [${binaries}] }\n` : ""}    with:
      run: |
${run.trim().split("\n").map((l) => "        " + l).join("\n")}
`;
}

async function compose(petal: string) {
  const dir = await tempProject({ "flow.petal": petal });
  const env = { XDG_CACHE_HOME: `${dir}/.xdg`, DENO_DIR: denoDir() };
  const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], {
    cwd: dir,
    env,
  });
  return { dir, env, composed };
}

Deno.test("cli: a function is called without being an allowed program; its body's programs are checked", async () => {
  const ok = await compose(flow(`
deploy() { mkdir -p out; echo "$1:$#" > "out/$1.txt"; }
deploy alpha
deploy beta x
cat out/alpha.txt out/beta.txt > out/all.txt
`));
  assertEquals(ok.composed.code, 0, ok.composed.stderr);
  const run = await lily(["run", "flow.lock.yaml"], { cwd: ok.dir, env: ok.env });
  assertEquals(run.code, 0, run.stdout + run.stderr);
  assertEquals(Deno.readTextFileSync(`${ok.dir}/out/all.txt`), "alpha:1\nbeta:2\n");

  // `tr` inside the body is a program: not allowed, so compose refuses it at its line.
  const bad = await compose(flow(`
up() {
  echo "$1" | tr a-z A-Z
}
up x
`));
  assertEquals(bad.composed.code, 2, bad.composed.stderr);
  assertMatch(bad.composed.stderr, /LILY-E0617/);
  assertMatch(bad.composed.stderr, /runs `tr`/);
  assertMatch(bad.composed.stderr, /flow\.petal:9:23/);
  assert(!/runs `up`/.test(bad.composed.stderr), bad.composed.stderr);
});

Deno.test("cli: `$1` is allowed in a function body and after `set --`, E0635 at a top level without it", async () => {
  const inside = await compose(flow('f() { echo "$1 $# $@"; }\nf a'));
  assertEquals(inside.composed.code, 0, inside.composed.stderr);
  const set = await compose(flow('set -- a b\necho "$1 $#"'));
  assertEquals(set.composed.code, 0, set.composed.stderr);
  const top = await compose(flow('f() { echo "$1"; }\nf a\necho "$2"'));
  assertEquals(top.composed.code, 2, top.composed.stderr);
  assertMatch(top.composed.stderr, /LILY-E0635/);
  assertMatch(top.composed.stderr, /flow\.petal:10:15/);
  assertEquals(top.composed.stderr.match(/LILY-E0635/g)?.length, 1, top.composed.stderr);
});

Deno.test("cli: bash's `function NAME` is refused at compose with a hint towards `NAME()`", async () => {
  const out = await compose(flow("function f { echo hi; }\nf"));
  assertEquals(out.composed.code, 2, out.composed.stderr);
  assertMatch(out.composed.stderr, /LILY-E0618/);
  assertMatch(out.composed.stderr, /NAME\(\) \{ …; \}/);
});
