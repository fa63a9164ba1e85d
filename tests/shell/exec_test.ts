// The interpreter: errexit and pipefail, exit statuses, subshells, pipelines between built-ins
// and real programs, redirections, command substitution, variables and the environment of
// programs, the current directory, and cancellation.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { isAlive, sh, shIn, withTempDir } from "./_run.ts";

// errexit and pipefail -------------------------------------------------------------------

Deno.test("exec: a failing command ends the script with its status (errexit is on)", async () => {
  const result = await shIn("echo one; dash -c 'exit 7'; echo two");
  assertEquals(result.exitCode, 7);
  assertEquals(result.stdout, "one\n");
});

Deno.test("exec: `set +e` lets the script go on after a failure", async () => {
  const result = await shIn("set +e; false; echo $?; dash -c 'exit 4'; echo $?");
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "1\n4\n");
});

Deno.test("exec: `set -e` turns errexit back on", async () => {
  const result = await shIn("set +e; false; set -e; false; echo no");
  assertEquals(result.exitCode, 1);
  assertEquals(result.stdout, "");
});

Deno.test("exec: a failing `if` condition does not end the script", async () => {
  const result = await shIn(
    "if false; then echo t; elif false; then echo e; else echo f; fi; echo end",
  );
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "f\nend\n");
});

Deno.test("exec: a failing `while`/`until` condition does not end the script", async () => {
  const result = await shIn("while false; do :; done; until true; do :; done; echo end");
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "end\n");
});

Deno.test("exec: a failure in a non-final part of `&&`/`||` does not end the script", async () => {
  const result = await shIn(
    "false && echo no; false || echo rescued; false && true || echo both; echo end",
  );
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "rescued\nboth\nend\n");
});

Deno.test("exec: a failure in the final part of `&&` ends the script", async () => {
  const result = await shIn("true && false; echo no");
  assertEquals(result.exitCode, 1);
  assertEquals(result.stdout, "");
});

Deno.test("exec: a failure in the final part of `||` ends the script", async () => {
  const result = await shIn("false || dash -c 'exit 3'; echo no");
  assertEquals(result.exitCode, 3);
});

Deno.test("exec: `!` inverts the status and a negated pipeline never ends the script", async () => {
  const result = await shIn("! false; echo $?; ! true; echo $?");
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "0\n1\n");
});

Deno.test("exec: inside a `||` list a group's failing commands do not end the script", async () => {
  const result = await shIn("{ false; echo inside; } || true; echo end");
  assertEquals(result.stdout, "inside\nend\n");
});

Deno.test("exec: with pipefail (default) a failing pipeline stage fails the pipeline", async () => {
  const result = await shIn("false | true; echo no");
  assertEquals(result.exitCode, 1);
  assertEquals(result.stdout, "");
});

Deno.test("exec: with pipefail the pipeline's status is its last non-zero status", async () => {
  const result = await shIn("set +e; (exit 2) | (exit 3) | true; echo $?");
  assertEquals(result.stdout, "3\n");
});

Deno.test("exec: `set +o pipefail` makes the last command's status the pipeline's", async () => {
  const result = await shIn(
    "set +o pipefail; false | true; echo yes; set +e; true | false; echo $?",
  );
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "yes\n1\n");
});

// exit and subshells ---------------------------------------------------------------------

Deno.test("exec: `exit N` ends the script with N", async () => {
  const result = await shIn("echo a; exit 7; echo b");
  assertEquals(result.exitCode, 7);
  assertEquals(result.stdout, "a\n");
});

Deno.test("exec: `exit` takes N modulo 256", async () => {
  assertEquals((await shIn("exit 300")).exitCode, 44);
  assertEquals((await shIn("exit -1")).exitCode, 255);
});

Deno.test("exec: `exit` alone uses the last status", async () => {
  assertEquals((await shIn("set +e; dash -c 'exit 5'; exit")).exitCode, 5);
  assertEquals((await shIn("exit")).exitCode, 0);
});

Deno.test("exec: `exit` inside a group or an `if` ends the whole script", async () => {
  const result = await shIn("if true; then { exit 4; }; fi; echo no");
  assertEquals(result.exitCode, 4);
  assertEquals(result.stdout, "");
});

Deno.test("exec: `( exit 3 )` sets $? to 3 without ending the parent under `set +e`", async () => {
  const result = await shIn("set +e; ( exit 3 ); echo $?");
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "3\n");
});

Deno.test("exec: a subshell that fails ends the parent under errexit", async () => {
  const result = await shIn("( exit 3 ); echo no");
  assertEquals(result.exitCode, 3);
  assertEquals(result.stdout, "");
});

Deno.test("exec: variables and options set in a subshell do not reach the parent", async () => {
  const result = await shIn('(X=1; set +e); echo "[$X]"; false; echo no');
  assertEquals(result.stdout, "[]\n");
  assertEquals(result.exitCode, 1);
});

Deno.test("exec: a group `{ …; }` runs in the current shell", async () => {
  assertEquals((await shIn("{ X=1; }; echo $X")).stdout, "1\n");
});

Deno.test("exec: `cd` in a subshell does not move the parent", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir d; (cd d; pwd); pwd", dir);
    assertEquals(result.stdout, `${dir}/d\n${dir}\n`);
  });
});

Deno.test("exec: each command of a pipeline runs in a subshell", async () => {
  assertEquals((await shIn('echo x | read v; echo "[$v]"')).stdout, "[]\n");
});

// Control flow ---------------------------------------------------------------------------

Deno.test("exec: `for` runs its body once per field and leaves the last value", async () => {
  assertEquals(
    (await shIn('for i in a "b c" d; do echo "$i"; done; echo $i')).stdout,
    "a\nb c\nd\nd\n",
  );
});

Deno.test("exec: `while` loops until its condition fails, `until` until it succeeds", async () => {
  const result = await shIn(
    "i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; j=0; until [ $j -ge 2 ]; do j=$((j + 1)); done; echo $i $j",
  );
  assertEquals(result.stdout, "3 2\n");
});

Deno.test("exec: `if` runs the first branch whose condition succeeds", async () => {
  assertEquals(
    (await shIn("if false; then echo 1; elif true; then echo 2; else echo 3; fi")).stdout,
    "2\n",
  );
});

// Pipelines ------------------------------------------------------------------------------

Deno.test("exec: a pipeline streams from a built-in into a program", async () => {
  assertEquals((await shIn("echo hello | tr a-z A-Z")).stdout, "HELLO\n");
});

Deno.test("exec: a pipeline streams between programs and back into built-ins", async () => {
  const result = await shIn("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z | cat");
  assertEquals(result.stdout, "A\nB\nC\n");
  assertEquals(result.spawned, 2);
});

Deno.test("exec: a pipeline into `while read` sees every line", async () => {
  assertEquals(
    (await shIn('printf "1\\n2\\n3\\n" | while read n; do echo "n=$n"; done')).stdout,
    "n=1\nn=2\nn=3\n",
  );
});

Deno.test("exec: `yes | head -n 1` ends, the writer getting a broken pipe (status 141)", async () => {
  const result = await shIn("set +e; yes | head -n 1; echo $?");
  assertEquals(result.stdout, "y\n141\n");
});

Deno.test("exec: `yes | head -n 1` fails the script under pipefail, as in bash", async () => {
  const result = await shIn("yes | head -n 1; echo no");
  assertEquals(result.exitCode, 141);
  assertEquals(result.stdout, "y\n");
});

Deno.test("exec: an endless program through two programs ends when the last stops", async () => {
  const result = await shIn("set +o pipefail; yes | tr y n | head -n 3");
  assertEquals(result.exitCode, 0);
  assertEquals(result.stdout, "n\nn\nn\n");
});

Deno.test("exec: an endless built-in loop into `head` ends the script under errexit", async () => {
  const result = await shIn("while :; do echo y; done | head -n 1");
  assertEquals(result.stdout, "y\n");
  assertEquals(result.exitCode, 141);
});

Deno.test("exec: `|` leaves stderr out of the pipe, `|&` sends it through", async () => {
  const plain = await shIn("dash -c 'echo err >&2' | tr a-z A-Z");
  assertEquals([plain.stdout, plain.stderr], ["", "err\n"]);
  const both = await shIn("dash -c 'echo err >&2' |& tr a-z A-Z");
  assertEquals([both.stdout, both.stderr], ["ERR\n", ""]);
});

Deno.test("exec: a program reads the script's stdin", async () => {
  assertEquals((await shIn("tr a-z A-Z", { stdin: "abc\n" })).stdout, "ABC\n");
});

// Redirections ---------------------------------------------------------------------------

Deno.test("exec: `>` creates and truncates, `>>` appends", async () => {
  const result = await shIn("echo a > f; echo b >> f; cat f; echo c > f; cat f");
  assertEquals(result.stdout, "a\nb\nc\n");
});

Deno.test("exec: `<` feeds a file to a built-in and to a program", async () => {
  assertEquals(
    (await shIn("printf 'x y\\n' > f; read a b < f; echo $b; wc -w < f")).stdout,
    "y\n2\n",
  );
});

Deno.test("exec: `2>` sends a program's stderr to a file and `>` its stdout to another", async () => {
  const result = await shIn("dash -c 'echo out; echo err >&2' > o 2> e; cat e o");
  assertEquals([result.stdout, result.stderr], ["err\nout\n", ""]);
});

Deno.test("exec: `>f 2>&1` sends both streams to f", async () => {
  const result = await shIn("{ echo out; echo err >&2; } > f 2>&1; cat f");
  assertEquals([result.stdout, result.stderr], ["out\nerr\n", ""]);
});

Deno.test("exec: `2>&1 >f` sends stderr to the old stdout and only stdout to f", async () => {
  const result = await shIn("{ echo out; echo err >&2; } 2>&1 > f; echo ---; cat f");
  assertEquals([result.stdout, result.stderr], ["err\n---\nout\n", ""]);
});

Deno.test("exec: `>&2` sends stdout to stderr", async () => {
  const result = await shIn("echo oops >&2");
  assertEquals([result.stdout, result.stderr], ["", "oops\n"]);
});

Deno.test("exec: `&>` and `&>>` send both streams to a file, truncating or appending", async () => {
  const result = await shIn(
    "dash -c 'echo o; echo e >&2' &> f; cat f; { echo o2; echo e2 >&2; } &>> f; cat f",
  );
  assertEquals(result.stdout, "o\ne\no\ne\no2\ne2\n");
});

Deno.test("exec: `> /dev/null` drops output of built-ins and programs", async () => {
  const result = await shIn(
    "echo hi > /dev/null; yes | head -n 2 > /dev/null 2>&1 || true; dash -c 'echo e >&2' 2>/dev/null",
  );
  assertEquals([result.stdout, result.stderr], ["", ""]);
});

Deno.test("exec: `< /dev/null` gives a program an empty stdin", async () => {
  assertEquals((await shIn("wc -c < /dev/null")).stdout.trim(), "0");
});

Deno.test("exec: a redirection from a missing file fails the command, which does not run", async () => {
  const result = await shIn("set +e; echo ran < missing; echo $?");
  assertEquals(result.stdout, "1\n");
  assertMatch(result.stderr, /missing: No such file or directory/);
});

Deno.test("exec: a redirection into a directory fails with status 1", async () => {
  const result = await shIn("mkdir d; set +e; echo x > d; echo $?");
  assertEquals(result.stdout, "1\n");
  assertMatch(result.stderr, /d: Is a directory/);
});

Deno.test("exec: a redirection on a compound command covers its whole body", async () => {
  assertEquals((await shIn("for i in 1 2; do echo $i; done > f; cat f")).stdout, "1\n2\n");
});

Deno.test("exec: a redirection target is expanded but not split", async () => {
  assertEquals((await shIn('N="a b"; echo hi > $N; cat "a b"')).stdout, "hi\n");
});

// Command substitution and $? ------------------------------------------------------------

Deno.test("exec: command substitution strips all trailing newlines and only those", async () => {
  const result = await shIn("x=$(printf '\\n\\na\\n\\nb\\n\\n\\n'); printf '[%s]' \"$x\"");
  assertEquals(result.stdout, "[\n\na\n\nb]");
});

Deno.test("exec: backticks substitute like `$(…)`", async () => {
  assertEquals((await shIn("x=`echo hi`; echo $x `echo there`")).stdout, "hi there\n");
});

Deno.test("exec: command substitution captures a program's output", async () => {
  assertEquals((await shIn('echo "$(echo abc | tr a-z A-Z)"')).stdout, "ABC\n");
});

Deno.test("exec: an assignment takes the status of its command substitution", async () => {
  const result = await shIn("set +e; x=$(exit 4); echo $?; y=$(true); echo $?");
  assertEquals(result.stdout, "4\n0\n");
});

Deno.test("exec: a failing substitution in an assignment ends the script", async () => {
  const result = await shIn("x=$(false); echo no");
  assertEquals(result.exitCode, 1);
  assertEquals(result.stdout, "");
});

Deno.test("exec: a command's status, not its substitution's, counts for errexit", async () => {
  assertEquals((await shIn("echo [$(false)]; echo yes")).stdout, "[]\nyes\n");
});

Deno.test("exec: `$?` is the status of the last pipeline", async () => {
  assertEquals(
    (await shIn("set +e; echo $?; false; echo $?; dash -c 'exit 9'; echo $?")).stdout,
    "0\n1\n9\n",
  );
});

// Variables, environment, directory ------------------------------------------------------

Deno.test("exec: a plain assignment persists for later commands", async () => {
  assertEquals((await shIn("A=1; B=$A$A; echo $B")).stdout, "11\n");
});

Deno.test("exec: `A=1 cmd` gives A to that program only", async () => {
  const result = await shIn(`A=1 dash -c 'echo "[$A]"'; echo "[$A]"; dash -c 'echo "[$A]"'`);
  assertEquals(result.stdout, "[1]\n[]\n[]\n");
});

Deno.test("exec: `A=1 cmd` overrides an exported value for that program only", async () => {
  const result = await shIn(`export A=0; A=1 dash -c 'echo $A'; dash -c 'echo $A'; echo $A`);
  assertEquals(result.stdout, "1\n0\n0\n");
});

Deno.test("exec: `A=1 builtin` leaves no A behind", async () => {
  assertEquals((await shIn('A=1 true; echo "[$A]"; B=0; B=2 true; echo $B')).stdout, "[]\n0\n");
});

Deno.test("exec: a variable reaches programs only once exported", async () => {
  const result = await shIn(`A=1; dash -c 'echo "[$A]"'; export A; dash -c 'echo "[$A]"'`);
  assertEquals(result.stdout, "[]\n[1]\n");
});

Deno.test("exec: `export NAME=$value` keeps the value whole", async () => {
  assertEquals((await shIn(`V="a  b"; export W=$V; dash -c 'echo "$W"'`)).stdout, "a  b\n");
});

Deno.test("exec: the initial variables are exported to programs", async () => {
  const result = await shIn(`dash -c 'echo "$GIVEN"'`, { env: { GIVEN: "yes" } });
  assertEquals(result.stdout, "yes\n");
});

Deno.test("exec: programs do not inherit the host's environment", async () => {
  Deno.env.set("LILY_SHELL_TEST_HOST_ONLY", "leaked");
  try {
    const result = await shIn(`dash -c 'echo "[$LILY_SHELL_TEST_HOST_ONLY]"'`);
    assertEquals(result.stdout, "[]\n");
  } finally {
    Deno.env.delete("LILY_SHELL_TEST_HOST_ONLY");
  }
});

Deno.test("exec: `unset` removes a variable from the shell and from programs", async () => {
  const result = await shIn(`export A=1; unset A; echo "[$A]"; dash -c 'echo "[$A]"'`);
  assertEquals(result.stdout, "[]\n[]\n");
});

Deno.test("exec: `cd` changes the directory of later built-ins and programs, and $PWD", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir d; cd d; pwd; dash -c pwd; echo $PWD; echo x > f", dir);
    assertEquals(result.stdout, `${dir}/d\n${dir}/d\n${dir}/d\n`);
    assertEquals(await Deno.readTextFile(`${dir}/d/f`), "x\n");
  });
});

Deno.test("exec: `set -x` traces each command on stderr", async () => {
  const result = await shIn("set -x; A=1 echo hi");
  assertEquals(result.stdout, "hi\n");
  assertEquals(result.stderr, "+ A=1 echo hi\n");
});

Deno.test("exec: the result counts the programs started", async () => {
  const result = await shIn("dash -c true; echo | tr a b; echo $(dash -c 'echo x')");
  assertEquals(result.spawned, 3);
});

// Cancellation ---------------------------------------------------------------------------

Deno.test("exec: aborting the signal stops a running program (SIGTERM, status 143)", async () => {
  const controller = new AbortController();
  const running = shIn("dash -c 'exec sleep 30'", { signal: controller.signal });
  // Abort once the program has started.
  setTimeout(() => controller.abort(), 200);
  const result = await running;
  assertEquals(result.exitCode, 143);
  assert(!isAlive(result.pids[0]), "the program is still running");
});

Deno.test("exec: aborting the signal stops the `sleep` built-in", async () => {
  const controller = new AbortController();
  const running = shIn("sleep 30; echo no", { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const result = await running;
  // 130 from `sleep` itself, 143 if the abort came before it started.
  assert([130, 143].includes(result.exitCode), `status ${result.exitCode}`);
  assertEquals(result.stdout, "");
});

/**
 * Runs `script` in a child Deno (so a script that never yields cannot hang the test run),
 * aborting it after `abortMs` when given. Resolves to the child's report, or "hung" when the
 * child had to be killed after `guardMs`.
 */
async function runIsolated(
  script: string,
  options: { abortMs?: number; guardMs: number },
): Promise<string> {
  const runner = new URL("./_isolated_runner.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", runner, script, String(options.abortMs ?? -1)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), options.guardMs);
  try {
    const output = await child.output();
    if (output.signal === "SIGKILL") return "hung";
    return new TextDecoder().decode(output.stdout).trim();
  } finally {
    clearTimeout(guard);
  }
}

Deno.test("exec: a finite built-in loop into `head` ends under `set +e`: 0 or 141, never a hang", async () => {
  // A race in every shell: the loop may write its three lines before `head` exits (status 0,
  // as bash's PIPESTATUS usually says) or meet the closed pipe (141). What always holds: the
  // pipeline ends, and its status is one of those two.
  const report = await runIsolated("set +e; for i in 1 2 3; do echo y; done | head -n 1", {
    guardMs: 60_000,
  });
  assert(
    report === JSON.stringify({ exitCode: 0 }) || report === JSON.stringify({ exitCode: 141 }),
    report,
  );
});

Deno.test("exec: aborting the signal stops an endless loop of built-ins", async () => {
  // The child aborts after 100 ms; the 3 s guard only keeps a hang from stalling the run.
  const report = await runIsolated("while :; do :; done", { abortMs: 100, guardMs: 3000 });
  assertEquals(report, JSON.stringify({ exitCode: 143 }));
});

Deno.test("exec: an endless built-in loop into `head` ends by itself under `set +e`", async () => {
  const report = await runIsolated("set +e; while :; do echo y; done | head -n 1", {
    guardMs: 3000,
  });
  assertMatch(report, /^\{"exitCode":\d+\}$/);
});
