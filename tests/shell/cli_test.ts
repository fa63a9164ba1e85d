// Lily's shell through the real CLI: a step using here-documents, `case`, `${x%pattern}`,
// `while` with `break`, `readonly` and 64-bit arithmetic runs; what the shell refuses is a
// compose error with the step's file, line and column (and its own code for a nesting bound).
import { assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, lily, tempProject } from "../_tools.ts";

const SCRIPT = `
name=report.final.txt
readonly base=\${name%%.*}
n=0
while :; do
  n=$((n + 1))
  [ $n -ge 3 ] && break
done
case $name in
  *.md|*.rst) kind=doc ;;
  *.txt) kind=text ;;
esac
mkdir -p out
cat > out/report.txt <<EOF
base=$base ext=\${name##*.} kind=$kind n=$n big=$((2147483647 + 1))
EOF
cat >> out/report.txt <<-'EOF'
	literal $base
	EOF
printf '%5.2s|%#x\\n' abc 255 >> out/report.txt
`;

function flow(script: string): string {
  return `petal: "1"
name: sh
steps:
  - id: s
    uses: shell
    outputs: { report: { type: file, path: out/report.txt } }
    with:
      run: |
${script.trim().split("\n").map((l) => "        " + l).join("\n")}
`;
}

Deno.test("cli: a shell step with here-documents, case, patterns and loops runs as sh would", async () => {
  const dir = await tempProject({ "flow.petal": flow(SCRIPT) });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg`, DENO_DIR: denoDir() };
    const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], {
      cwd: dir,
      env,
    });
    assertEquals(composed.code, 0, composed.stderr);
    const run = await lily(["run", "flow.lock.yaml"], { cwd: dir, env });
    assertEquals(run.code, 0, run.stdout + run.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/out/report.txt`),
      "base=report ext=txt kind=text n=3 big=2147483648\nliteral $base\n   ab|0xff\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: bash's `;&` in a case is refused at compose with its line and column", async () => {
  const dir = await tempProject({
    "flow.petal": flow("case a in\n  a) echo a ;&\n  b) echo b ;;\nesac"),
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal"], { cwd: dir });
    assertEquals(code, 2);
    assertMatch(stderr, /LILY-E0618/);
    assertMatch(stderr, /`;&` \(fall through to the next `case` item\) is bash/);
    assertMatch(stderr, /flow\.petal:10:21/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: 20 000 nested parentheses in `$((…))` are refused at compose (E0650), no crash", async () => {
  const deep = "echo $((" + "(".repeat(20_000) + "1" + ")".repeat(20_000) + "))";
  const dir = await tempProject({ "flow.petal": flow(deep) });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal"], { cwd: dir });
    assertEquals(code, 2, stderr.slice(0, 2000));
    assertMatch(stderr, /LILY-E0650/);
    assertMatch(stderr, /nests parentheses deeper than 128 levels/);
    assertMatch(stderr, /flow\.petal:9:/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
