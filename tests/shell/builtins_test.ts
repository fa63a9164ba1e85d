// The built-in commands: what each does, and the status and message of each failure.
import { parseScript } from "../../src/shell/parser.ts";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { BUILTINS, isBuiltin } from "../../src/shell/commands/mod.ts";
import { type Outcome, sh, shIn, withTempDir } from "./_run.ts";

/** Runs a script under `set +e` and returns it with `$?` of its last command appended. */
async function status(script: string, options: Parameters<typeof shIn>[1] = {}): Promise<Outcome> {
  return await shIn(`set +e; ${script}; echo "status=$?"`, options);
}

async function out(script: string, options: Parameters<typeof shIn>[1] = {}): Promise<string> {
  const result = await shIn(script, options);
  assertEquals(result.exitCode, 0, `${script}\nstderr: ${result.stderr}`);
  assertEquals(result.denied, undefined);
  return result.stdout;
}

Deno.test("builtins: the documented set of built-ins, and nothing from Object.prototype", () => {
  assertEquals(Object.keys(BUILTINS).sort(), [
    ":",
    "[",
    "break",
    "cat",
    "cd",
    "continue",
    "cp",
    "echo",
    "exit",
    "export",
    "false",
    "local",
    "mkdir",
    "mv",
    "printenv",
    "printf",
    "pwd",
    "read",
    "readonly",
    "return",
    "rm",
    "set",
    "shift",
    "sleep",
    "test",
    "touch",
    "true",
    "unset",
  ]);
  assertEquals(["constructor", "toString", "__proto__"].map(isBuiltin), [false, false, false]);
});

Deno.test("builtins: built-ins start no program", async () => {
  const result = await shIn("echo a | cat; printf x > f; test -f f; mkdir d; touch d/t; rm -r d");
  assertEquals(result.spawned, 0);
});

// true false : ----------------------------------------------------------------------------

Deno.test("builtins: `true` and `:` succeed, `false` fails with 1", async () => {
  assertEquals((await status("true && : && false")).stdout, "status=1\n");
  assertEquals((await status(": ignored args")).stdout, "status=0\n");
});

// echo -----------------------------------------------------------------------------------

Deno.test("echo: joins its arguments with spaces and ends with a newline", async () => {
  assertEquals(await out("echo a  b 'c  d'"), "a b c  d\n");
  assertEquals(await out("echo"), "\n");
});

Deno.test("echo: `-n` leaves out the newline", async () => {
  assertEquals(await out("echo -n a; echo -n b c; echo"), "ab c\n");
});

Deno.test("echo: backslashes stay as they are without `-e`", async () => {
  assertEquals(await out("echo 'a\\tb\\n'"), "a\\tb\\n\n");
});

Deno.test("echo: `-e` reads escapes, and `\\c` stops the output", async () => {
  assertEquals(await out("echo -e 'a\\tb\\\\n'"), "a\tb\\n\n");
  assertEquals(await out("echo -e 'x\\x41\\0102'"), "xAB\n");
  assertEquals(await out("echo -e 'keep\\cdrop'; echo ."), "keep.\n");
});

Deno.test("echo: an argument that is not only -n/-e/-E is printed", async () => {
  assertEquals(await out("echo -x -n; echo -- a"), "-x -n\n-- a\n");
});

// printf ---------------------------------------------------------------------------------

Deno.test("printf: %s, %d, %x, %X, %o and %% convert their arguments", async () => {
  assertEquals(await out("printf '%s|%d|%x|%X|%o|%%\\n' str 42 255 255 8"), "str|42|ff|FF|10|%\n");
});

Deno.test("printf: %05.2f pads with zeros after the sign and rounds as C (ties to even)", async () => {
  assertEquals(
    await out("printf '%05.2f|%06.2f|%.1f|%.0f|%.0f\\n' 3.14159 -3.14159 2.25 2.5 3.5"),
    "03.14|-03.14|2.2|2|4\n",
  );
});

Deno.test("printf: width, `-` justification and precision shape strings", async () => {
  assertEquals(
    await out("printf '[%5s][%-5s][%.2s][%*d]\\n' a b defg 4 7"),
    "[    a][b    ][de][   7]\n",
  );
});

Deno.test("printf: `+` and space flags sign numbers", async () => {
  assertEquals(await out("printf '%+d|% d|%+d\\n' 5 5 -5"), "+5| 5|-5\n");
});

Deno.test("printf: the format is reused while arguments remain", async () => {
  assertEquals(await out("printf '%s=%s\\n' a 1 b 2 c"), "a=1\nb=2\nc=\n");
});

Deno.test("printf: missing arguments are empty strings and zeros", async () => {
  assertEquals(await out("printf '[%s][%d]\\n'"), "[][0]\n");
});

Deno.test("printf: a format without conversions is printed once", async () => {
  assertEquals(await out("printf 'x\\n' extra args"), "x\n");
});

Deno.test("printf: escapes in the format, not in %s arguments; %b reads them", async () => {
  assertEquals(await out("printf 'a\\tb\\\\ %s %b\\n' '\\n' 'c\\td'"), "a\tb\\ \\n c\td\n");
});

Deno.test("printf: %c prints the first character", async () => {
  assertEquals(await out("printf '%c%c\\n' hello world"), "hw\n");
});

Deno.test("printf: numbers may be hexadecimal or a quoted character's code", async () => {
  assertEquals(await out("printf '%d %d %i\\n' 0x10 \"'A\" -7"), "16 65 -7\n");
});

Deno.test("printf: %e writes at least two exponent digits, as C does", async () => {
  assertEquals(await out("printf '%e\\n' 1234.5"), "1.234500e+03\n");
});

Deno.test("printf: %g switches to exponent form for large numbers, as C does", async () => {
  assertEquals(await out("printf '%g\\n' 1234567"), "1.23457e+06\n");
});

Deno.test("printf: an invalid number prints 0, says so on stderr and returns 1", async () => {
  const result = await status("printf '%d\\n' abc");
  assertEquals(result.stdout, "0\nstatus=1\n");
  assertMatch(result.stderr, /abc: invalid number/);
});

Deno.test("printf: no format is a usage error with status 2", async () => {
  const result = await status("printf");
  assertEquals(result.stdout, "status=2\n");
  assertMatch(result.stderr, /usage/);
});

// cat ------------------------------------------------------------------------------------

Deno.test("cat: concatenates files in order", async () => {
  assertEquals(await out("echo a > x; printf b > y; cat x y x"), "a\nba\n");
});

Deno.test("cat: reads stdin without arguments or for `-`", async () => {
  assertEquals(await out("echo in | cat; echo f > f; echo in2 | cat f - f"), "in\nf\nin2\nf\n");
  assertEquals(await out("cat", { stdin: "given\n" }), "given\n");
});

Deno.test("cat: a missing file is status 1 with a message; the other files still print", async () => {
  const result = await status("echo ok > f; cat missing f");
  assertEquals(result.stdout, "ok\nstatus=1\n");
  assertEquals(result.stderr, "cat: missing: No such file or directory\n");
});

Deno.test("cat: a directory is status 1 with a message", async () => {
  const result = await status("mkdir d; cat d");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /d: Is a directory/);
});

// cd pwd ---------------------------------------------------------------------------------

Deno.test("cd: goes into a directory relative to the current one; pwd prints it", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir -p a/b; cd a; cd b; pwd; cd ..; pwd", dir);
    assertEquals(result.stdout, `${dir}/a/b\n${dir}/a\n`);
  });
});

Deno.test("cd: alone goes to $LILY_PROJECT_ROOT", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    const result = await sh("cd; pwd", `${dir}/sub`, {
      env: { LILY_PROJECT_ROOT: dir },
      readRoots: [dir],
      writeRoots: [dir],
    });
    assertEquals(result.stdout, `${dir}\n`);
  });
});

Deno.test("cd: `-` goes back to $OLDPWD and prints it", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir d; cd d; cd -; echo $OLDPWD", dir);
    assertEquals(result.stdout, `${dir}\n${dir}/d\n`);
  });
});

Deno.test("cd: a missing directory or a file is status 1 with a message", async () => {
  const missing = await status("cd nope");
  assertEquals(missing.stdout, "status=1\n");
  assertMatch(missing.stderr, /cd: nope: No such file or directory/);
  const file = await status("touch f; cd f");
  assertEquals(file.stdout, "status=1\n");
  assertMatch(file.stderr, /cd: f: Not a directory/);
});

// export unset printenv set --------------------------------------------------------------

Deno.test("export: `export A=1 B` sets and exports; printenv shows them", async () => {
  assertEquals(await out("B=2; export A=1 B; printenv A B"), "1\n2\n");
});

Deno.test("export: an invalid name is status 1 with a message", async () => {
  const result = await status("export 1A=x");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /not a valid identifier/);
});

Deno.test("export: with no names lists exported variables, quoted and sorted", async () => {
  await withTempDir(async (dir) => {
    const result = await sh('export B="x y" A=1; export', dir);
    assertEquals(result.stdout, `export A="1"\nexport B="x y"\nexport PWD="${dir}"\n`);
  });
});

Deno.test("printenv: with no names lists exported variables only, sorted", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("HIDDEN=1; export Z=2 A=1; printenv", dir, { env: { G: "g" } });
    assertEquals(result.stdout, `A=1\nG=g\nPWD=${dir}\nZ=2\n`);
  });
});

Deno.test("printenv: an unknown or unexported name is status 1 and prints nothing", async () => {
  assertEquals((await status("HIDDEN=1; printenv HIDDEN")).stdout, "status=1\n");
  assertEquals((await status("printenv NOPE")).stdout, "status=1\n");
});

Deno.test("printenv: sees a variable assigned before it, like a program would", async () => {
  assertEquals((await status("A=1 printenv A")).stdout, "1\nstatus=0\n");
});

Deno.test("unset: removes variables; an unknown one is fine", async () => {
  assertEquals(await out('A=1; B=2; unset A NOPE; echo "[$A][$B]"'), "[][2]\n");
});

Deno.test("set: -e/+e, -u, -x and -o pipefail show in $- and in behaviour", async () => {
  assertEquals(await out('echo $-; set +e; echo "[$-]"; set -eux; echo $-'), "e\n[]\n" + "exu\n");
});

Deno.test("set: an unknown option or a positional argument is status 2", async () => {
  const bad = await status("set -q");
  assertEquals(bad.stdout, "status=2\n");
  assertMatch(bad.stderr, /-q: invalid option/);
  assertEquals((await status("set -o nosuch")).stdout, "status=2\n");
});

Deno.test("set: arguments set the positional parameters (`set --`, `set a b`, after options)", async () => {
  assertEquals(await out('set a b; echo "$# $1 $2"'), "2 a b\n");
  assertEquals(await out('set -- -x "y z"; echo "$# $1|$2"'), "2 -x|y z\n");
  assertEquals(await out('set +e -- x; echo "$# $1"; set --; echo "$#"'), "1 x\n0\n");
  assertEquals(await out('set -o pipefail x; echo "$1"'), "x\n");
  parseScript("set -eu -o pipefail +o xtrace");
});

// read -----------------------------------------------------------------------------------

Deno.test("read: several names take one field each, the last one the rest", async () => {
  assertEquals(await out("printf 'a b c\\n' | { read x y; echo \"$y\"; }"), "b c\n");
  assertEquals(
    await out("printf 'a b c\\n' | { read x y z w; echo \"[$x][$y][$z][$w]\"; }"),
    "[a][b][c][]\n",
  );
});

Deno.test("read: without a name sets REPLY", async () => {
  assertEquals(await out("echo hi | { read; echo $REPLY; }"), "hi\n");
});

Deno.test("read: trims blanks at both ends of the line", async () => {
  assertEquals(await out("printf '  a  b  \\n' | { read x; echo \"[$x]\"; }"), "[a  b]\n");
});

Deno.test("read: consecutive reads take consecutive lines", async () => {
  assertEquals(await out("printf 'l1\\nl2\\n' | { read a; read b; echo \"$b $a\"; }"), "l2 l1\n");
});

Deno.test("read: `-r` keeps backslashes, plain read removes them", async () => {
  assertEquals(await out("printf 'a\\\\b\\n' | { read -r x; echo \"$x\"; }"), "a\\b\n");
  assertEquals(await out("printf 'a\\\\b\\n' | { read x; echo \"$x\"; }"), "ab\n");
});

Deno.test("read: at end of input returns 1 and empties its variables", async () => {
  assertEquals(
    (await status('x=old; read x < /dev/null; s=$?; echo "[$x]"; (exit $s)')).stdout,
    "[]\nstatus=1\n",
  );
});

Deno.test("read: a last line without a newline is read, with status 1", async () => {
  assertEquals(
    (await status("printf 'last' | { read x; s=$?; echo $x; exit $s; }")).stdout,
    "last\nstatus=1\n",
  );
});

Deno.test("read: reads from a redirected file", async () => {
  assertEquals(await out("echo 'k v' > f; read a b < f; echo $b"), "v\n");
});

Deno.test("read: an invalid name is status 2", async () => {
  assertEquals((await status("echo x | read 1x")).stdout, "status=2\n");
});

// exit sleep -----------------------------------------------------------------------------

Deno.test("exit: a non-numeric argument is status 2 with a message", async () => {
  const result = await shIn("exit abc; echo no");
  assertEquals(result.exitCode, 2);
  assertMatch(result.stderr, /numeric argument required/);
});

Deno.test("sleep: waits for a valid interval and succeeds", async () => {
  assertEquals((await status("sleep 0 0.01 .01s")).stdout, "status=0\n");
});

Deno.test("sleep: an invalid interval is status 1 with a message", async () => {
  const result = await status("sleep abc");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /invalid time interval 'abc'/);
});

// test and [ -----------------------------------------------------------------------------

/** The status of each `test` expression, run in a directory with files f (non-empty), e (empty), d/. */
async function testStatuses(exprs: string[]): Promise<number[]> {
  const script = "printf x > f; : > e; mkdir d; set +e; " +
    exprs.map((e) => `${e}; echo $?`).join("; ");
  const result = await shIn(script);
  return result.stdout.trim().split("\n").map(Number);
}

Deno.test("test: file tests -e -f -d -s", async () => {
  assertEquals(
    await testStatuses([
      "test -e f",
      "test -e nope",
      "[ -f f ]",
      "[ -f d ]",
      "[ -d d ]",
      "[ -d f ]",
      "[ -s f ]",
      "[ -s e ]",
    ]),
    [0, 1, 0, 1, 0, 1, 0, 1],
  );
});

Deno.test("test: -L sees a symlink, -x an executable bit", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/run`, "", { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/plain`, "", { mode: 0o644 });
    await Deno.symlink(`${dir}/plain`, `${dir}/link`);
    const result = await sh(
      "set +e; [ -L link ]; echo $?; [ -L plain ]; echo $?; [ -x run ]; echo $?; [ -x plain ]; echo $?",
      dir,
    );
    assertEquals(result.stdout, "0\n1\n0\n1\n");
  });
});

Deno.test("test: string tests -z -n = == !=", async () => {
  assertEquals(
    await testStatuses([
      "[ -z '' ]",
      "[ -z a ]",
      "[ -n a ]",
      "[ -n '' ]",
      "[ a = a ]",
      "[ a == b ]",
      "[ a != b ]",
      "[ a != a ]",
    ]),
    [0, 1, 0, 1, 0, 1, 0, 1],
  );
});

Deno.test("test: integer comparisons -eq -ne -lt -le -gt -ge", async () => {
  assertEquals(
    await testStatuses([
      "[ 2 -eq 2 ]",
      "[ 2 -ne 2 ]",
      "[ 2 -lt 10 ]",
      "[ 10 -lt 2 ]",
      "[ 3 -le 3 ]",
      "[ -1 -gt -2 ]",
      "[ 1 -ge 2 ]",
      "[ 010 -eq 10 ]",
    ]),
    [0, 1, 0, 1, 0, 0, 1, 0],
  );
});

Deno.test("test: `!`, `-a` and `-o` combine, `-a` binding tighter", async () => {
  assertEquals(
    await testStatuses([
      "[ ! a = b ]",
      "[ ! -f f ]",
      "[ a = a -a b = b ]",
      "[ a = a -a b = c ]",
      "[ a = b -o b = b ]",
      "[ a = b -o a = a -a b = c ]",
      "[ \\( a = b -o a = a \\) -a b = b ]",
    ]),
    [0, 1, 0, 1, 0, 1, 0],
  );
});

Deno.test("test: one argument is true when non-empty, none is false", async () => {
  assertEquals(await testStatuses(["[ abc ]", "[ '' ]", "[ ]", "test", "[ -z ]", "[ ! ]"]), [
    0,
    1,
    1,
    1,
    0,
    0,
  ]);
});

Deno.test("test: a malformed expression is status 2 with a message", async () => {
  const noInt = await status("[ 1 -eq x ]");
  assertEquals(noInt.stdout, "status=2\n");
  assertMatch(noInt.stderr, /integer expression expected/);
  const noBracket = await status("[ 1 = 1");
  assertEquals(noBracket.stdout, "status=2\n");
  assertMatch(noBracket.stderr, /missing `\]'/);
  assertEquals((await status("[ a b c ]")).stdout, "status=2\n");
});

// mkdir rm cp mv touch -------------------------------------------------------------------

Deno.test("mkdir: creates a directory; -p creates parents", async () => {
  assertEquals(await out("mkdir a; mkdir -p b/c/d; test -d a && test -d b/c/d && echo ok"), "ok\n");
});

Deno.test("mkdir: -p on an existing directory succeeds", async () => {
  assertEquals((await status("mkdir -p a; mkdir -p a")).stdout, "status=0\n");
});

Deno.test("mkdir: an existing directory or a missing parent is status 1 with a message", async () => {
  const exists = await status("mkdir a; mkdir a");
  assertEquals(exists.stdout, "status=1\n");
  assertMatch(exists.stderr, /mkdir: a: File exists/);
  const parent = await status("mkdir x/y");
  assertEquals(parent.stdout, "status=1\n");
  assertMatch(parent.stderr, /No such file or directory/);
});

Deno.test("mkdir: no operand or an unknown option is status 2", async () => {
  assertEquals((await status("mkdir")).stdout, "status=2\n");
  assertEquals((await status("mkdir -z d")).stdout, "status=2\n");
});

Deno.test("rm: removes files; -r removes a tree", async () => {
  assertEquals(
    await out(
      "touch f; mkdir -p d/e; touch d/e/g; rm f; rm -r d; test -e f || test -e d || echo gone",
    ),
    "gone\n",
  );
});

Deno.test("rm: a directory without -r is status 1 and is kept", async () => {
  const result = await status("mkdir d; rm d; s=$?; test -d d && echo kept; (exit $s)");
  assertEquals(result.stdout, "kept\nstatus=1\n");
  assertMatch(result.stderr, /Is a directory/);
});

Deno.test("rm: a missing file is status 1, silent and 0 with -f", async () => {
  const missing = await status("rm nope");
  assertEquals(missing.stdout, "status=1\n");
  assertMatch(missing.stderr, /No such file or directory/);
  const forced = await status("rm -f nope");
  assertEquals([forced.stdout, forced.stderr], ["status=0\n", ""]);
});

Deno.test("rm: refuses `.`, `..` and `/`", async () => {
  for (const target of [".", "..", "/", "d/.."]) {
    const result = await status(
      `mkdir -p d; rm -rf ${target}; s=$?; test -d d && echo kept; (exit $s)`,
    );
    assertEquals(result.stdout, "kept\nstatus=1\n", target);
    assertMatch(result.stderr, /refusing/);
  }
});

Deno.test("rm: no operand is status 2, or 0 with -f", async () => {
  assertEquals((await status("rm")).stdout, "status=2\n");
  assertEquals((await status("rm -f")).stdout, "status=0\n");
});

Deno.test("cp: copies a file, and into a directory under the same name", async () => {
  assertEquals(await out("echo hi > a; cp a b; mkdir d; cp a b d; cat b d/a d/b"), "hi\nhi\nhi\n");
});

Deno.test("cp: -r copies a tree; without -r a directory is status 1", async () => {
  assertEquals(await out("mkdir -p t/u; echo x > t/u/f; cp -r t t2; cat t2/u/f"), "x\n");
  const result = await status("mkdir d; cp d d2");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /-r not specified/);
});

Deno.test("cp: several sources into a file, a missing destination or source fail", async () => {
  const many = await status("touch a b c; cp a b c");
  assertEquals(many.stdout, "status=1\n");
  assertMatch(many.stderr, /is not a directory/);
  assertEquals((await status("touch a; cp a")).stdout, "status=2\n");
  const missing = await status("cp nope x");
  assertEquals(missing.stdout, "status=1\n");
  assertMatch(missing.stderr, /nope: No such file or directory/);
});

Deno.test("mv: renames, and moves into a directory", async () => {
  assertEquals(
    await out(
      "echo hi > a; mv a b; mkdir d; mv b d; cat d/b; test -e a || test -e b || echo moved",
    ),
    "hi\nmoved\n",
  );
});

Deno.test("mv: a missing source is status 1 with a message", async () => {
  const result = await status("mv nope x");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /nope: No such file or directory/);
});

Deno.test("touch: creates an empty file", async () => {
  assertEquals(await out("touch a b; test -f a && test -f b && ! test -s a && echo ok"), "ok\n");
});

Deno.test("touch: updates the modification time of an existing file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f`, "keep");
    const old = new Date("2001-01-01T00:00:00Z");
    await Deno.utime(`${dir}/f`, old, old);
    assertEquals((await sh("touch f", dir)).exitCode, 0);
    const stat = await Deno.stat(`${dir}/f`);
    assert(stat.mtime!.getTime() > old.getTime(), "mtime was not updated");
    assertEquals(await Deno.readTextFile(`${dir}/f`), "keep");
  });
});

Deno.test("touch: -c does not create; no operand is status 2", async () => {
  assertEquals(await out("touch -c f; test -e f || echo absent"), "absent\n");
  assertEquals((await status("touch")).stdout, "status=2\n");
});
