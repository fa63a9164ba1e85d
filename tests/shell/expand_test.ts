// Word expansion: parameters and their operators, field splitting, globbing, tilde, and
// arithmetic (through scripts, and evaluateArith directly).
import { assert, assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import { ArithError, evaluateArith } from "../../src/shell/arith.ts";
import { sh, shIn, withTempDir } from "./_run.ts";

/** Each field a `for` loop sees, as `<field>` lines. */
function fieldsScript(words: string): string {
  return `for w in ${words}; do echo "<$w>"; done`;
}

/** stdout of a script that must succeed. */
async function out(script: string, options: Parameters<typeof shIn>[1] = {}): Promise<string> {
  const result = await shIn(script, options);
  assertEquals(result.exitCode, 0, `${script}\nstderr: ${result.stderr}`);
  return result.stdout;
}

// Field splitting ------------------------------------------------------------------------

Deno.test("expand: an unquoted expansion splits into fields on spaces, tabs and newlines", async () => {
  const script = `X=$(printf 'a  b\\tc\\nd'); ${fieldsScript("$X")}`;
  assertEquals(await out(script), "<a>\n<b>\n<c>\n<d>\n");
});

Deno.test("expand: a double-quoted expansion stays one field, blanks kept", async () => {
  assertEquals(await out(`X="a  b"; ${fieldsScript('"$X"')}`), "<a  b>\n");
});

Deno.test('expand: `""` is one empty field', async () => {
  assertEquals(await out(fieldsScript('"" ""')), "<>\n<>\n");
});

Deno.test("expand: a quoted empty variable is one empty field", async () => {
  assertEquals(await out(`E=; ${fieldsScript('"$E" "${U}"')}`), "<>\n<>\n");
});

Deno.test("expand: an unquoted empty or unset expansion gives no field", async () => {
  assertEquals(await out(`E=; ${fieldsScript("$E $UNSET x")}; echo end`), "<x>\nend\n");
  assertEquals(await out(`E=; printf '[%s]' $E $(true)`), "[]");
});

Deno.test("expand: split pieces glue to the text before and after them", async () => {
  assertEquals(await out(`X="a b"; ${fieldsScript("pre${X}post")}`), "<prea>\n<bpost>\n");
});

Deno.test("expand: blanks at the edges of an expansion separate it from the text around", async () => {
  assertEquals(await out(`X=" b "; ${fieldsScript("a${X}c")}`), "<a>\n<b>\n<c>\n");
});

Deno.test("expand: an expansion's result is not parsed again (quotes and `;` stay text)", async () => {
  assertEquals(await out(`X="a;b 'c d'"; ${fieldsScript("$X")}`), "<a;b>\n<'c>\n<d'>\n");
});

Deno.test("expand: a command substitution splits like a variable unless quoted", async () => {
  assertEquals(await out(fieldsScript("$(echo a b)")), "<a>\n<b>\n");
  assertEquals(await out(fieldsScript('"$(echo a b)"')), "<a b>\n");
});

Deno.test("expand: an escaped blank does not split a word", async () => {
  assertEquals(await out(fieldsScript("a\\ b c")), "<a b>\n<c>\n");
});

Deno.test("expand: single quotes and `\\$` stop parameter expansion", async () => {
  assertEquals(
    await out(`X=v; echo '$X' \\$X "\\$X" "$X"`),
    "$X $X $X v\n",
  );
});

// Globs ----------------------------------------------------------------------------------

/** Runs `script` in a temporary directory holding `files` (a trailing `/` makes a directory). */
async function inDirWith(files: string[], script: string): Promise<string> {
  return await withTempDir(async (dir) => {
    for (const f of files) {
      if (f.endsWith("/")) await Deno.mkdir(`${dir}/${f}`, { recursive: true });
      else await Deno.writeTextFile(`${dir}/${f}`, "");
    }
    const result = await sh(script, dir);
    assertEquals(result.exitCode, 0, result.stderr);
    return result.stdout;
  });
}

Deno.test("expand: `*` matches files in the directory, sorted", async () => {
  assertEquals(
    await inDirWith(["c.txt", "a.txt", "b.log", "b.txt"], "echo *.txt"),
    "a.txt b.txt c.txt\n",
  );
});

Deno.test("expand: `*` skips hidden files; a leading `.` in the pattern matches them", async () => {
  const files = ["a.txt", ".h.txt"];
  assertEquals(await inDirWith(files, "echo *"), "a.txt\n");
  assertEquals(await inDirWith(files, "echo .*.txt"), ".h.txt\n");
});

Deno.test("expand: a glob that matches nothing stays as written", async () => {
  assertEquals(await inDirWith(["a.txt"], "echo *.none b?d [xy]z"), "*.none b?d [xy]z\n");
});

Deno.test("expand: `?`, `[ab]` and `[!a]` match one character", async () => {
  assertEquals(
    await inDirWith(["a1", "a2", "b1", "ab1"], "echo ?1; echo a[12]; echo [!a]1"),
    "a1 b1\na1 a2\nb1\n",
  );
});

Deno.test("expand: a glob works across directories", async () => {
  assertEquals(
    await inDirWith(["d/", "e/", "d/f", "e/f", "e/g", "d/x.txt"], "echo */f; echo d/*.txt"),
    "d/f e/f\nd/x.txt\n",
  );
});

Deno.test("expand: an absolute pattern gives absolute paths", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "");
    const result = await sh(`echo "$PWD"/*.txt`, dir);
    assertEquals(result.stdout, `${dir}/a.txt\n`);
  });
});

Deno.test("expand: quoted glob characters match literally, not as patterns", async () => {
  assertEquals(await inDirWith(["ab", "ac"], 'echo "a"* "a*" a\\*'), "ab ac a* a*\n");
});

Deno.test("expand: glob characters from an unquoted expansion are active, quoted not", async () => {
  assertEquals(
    await inDirWith(["x.txt", "y.txt"], 'P="*.txt"; echo $P "$P"'),
    "x.txt y.txt *.txt\n",
  );
});

Deno.test("expand: a matched file name with a space stays one field", async () => {
  assertEquals(await inDirWith(["a b"], fieldsScript("*")), "<a b>\n");
});

// Tilde ----------------------------------------------------------------------------------

Deno.test("expand: `~` at a word's start is $HOME", async () => {
  assertEquals(
    await out("echo ~ ~/x", { env: { HOME: "/home/lily" } }),
    "/home/lily /home/lily/x\n",
  );
});

Deno.test("expand: a quoted or inner `~` is a plain character", async () => {
  assertEquals(await out('echo "~" a~ \\~', { env: { HOME: "/home/lily" } }), "~ a~ ~\n");
});

Deno.test("expand: `~` without HOME stays `~`", async () => {
  assertEquals(await out("echo ~"), "~\n");
});

// Parameter operators --------------------------------------------------------------------

Deno.test("expand: `${#X}` is the length of the value, 0 when unset", async () => {
  assertEquals(await out('X="héllo w"; echo ${#X} ${#UNSET}'), "7 0\n");
});

Deno.test("expand: `${X:-d}` replaces empty or unset, `${X-d}` only unset", async () => {
  assertEquals(
    await out('E=; S=s; echo "${U:-a}|${E:-b}|${S:-c}|${U-d}|${E-e}|${S-f}"'),
    "a|b|s|d||s\n",
  );
});

Deno.test("expand: `${X:+a}` gives a when set and non-empty, `${X+a}` when set", async () => {
  assertEquals(
    await out('E=; S=s; echo "[${U:+a}|${E:+b}|${S:+c}|${U+d}|${E+e}|${S+f}]"'),
    "[||c||e|f]\n",
  );
});

Deno.test("expand: `${X:=d}` assigns the default to an empty or unset variable", async () => {
  assertEquals(await out('E=; echo ${U:=one} ${E:=two}; echo "$U $E"'), "one two\none two\n");
  assertEquals(await out('E=; echo "[${E=three}]"; echo "[$E]"'), "[]\n[]\n");
});

Deno.test("expand: the word of `${X:-…}` is itself expanded", async () => {
  assertEquals(await out("D=deep; echo ${U:-$D-$(echo sub)}"), "deep-sub\n");
});

Deno.test("expand: `${X:?msg}` ends the script with status 2 (as dash) and the message on stderr", async () => {
  const result = await shIn('set +e; echo before; echo "${MISSING:?give it a value}"; echo after');
  assertEquals(result.exitCode, 2);
  assertEquals(result.stdout, "before\n");
  assertMatch(result.stderr, /MISSING: give it a value/);
});

Deno.test("expand: `${X:?}` without a message names the variable", async () => {
  const result = await shIn("E=; : ${E:?}");
  assertEquals(result.exitCode, 2);
  assertMatch(result.stderr, /E: parameter null or not set/);
});

Deno.test("expand: `${X?msg}` accepts an empty variable and refuses an unset one", async () => {
  assertEquals((await shIn('E=; echo "[${E?no}]"')).stdout, "[]\n");
  assertEquals((await shIn("echo ${U?no}")).exitCode, 2);
});

Deno.test("expand: `${X:?msg}` in a subshell ends only the subshell", async () => {
  assertEquals(await out("set +e; ( : ${U:?m} ) 2>/dev/null; echo $?"), "2\n");
});

Deno.test("expand: with `set -u` an unset variable ends the script, `${U:-d}` does not", async () => {
  const result = await shIn("set -u; echo ${U:-ok}; echo $UNSET; echo no");
  assertEquals(result.exitCode, 2);
  assertEquals(result.stdout, "ok\n");
  assertMatch(result.stderr, /UNSET: unbound variable/);
});

Deno.test("expand: `$$` is a number and `$#` is 0", async () => {
  assertMatch(await out("echo $$ $#"), /^\d+ 0\n$/);
});

// Arithmetic through scripts -------------------------------------------------------------

Deno.test("expand: `$((…))` follows C precedence and parentheses", async () => {
  assertEquals(
    await out(
      "echo $((2 + 3 * 4)) $(((2 + 3) * 4)) $((10 - 3 - 2)) $((2 ** 3 ** 2)) $((1 + 2 == 3))",
    ),
    "14 20 5 512 1\n",
  );
});

Deno.test("expand: arithmetic division truncates toward zero and `%` keeps the sign", async () => {
  assertEquals(await out("echo $((7 / 2)) $((-7 / 2)) $((7 % 3)) $((-7 % 3))"), "3 -3 1 -1\n");
});

Deno.test("expand: arithmetic reads variables by name or `$`, unset ones as 0", async () => {
  assertEquals(await out("x=5; echo $((x * 2)) $(($x + 1)) $((nope + 1))"), "10 6 1\n");
});

Deno.test("expand: a variable in arithmetic must hold a number, as in dash", async () => {
  const result = await shIn("a=3+4; echo $((a * 2))");
  assertEquals([result.stdout, result.exitCode], ["", 2]);
  assertMatch(result.stderr, /Illegal number: 3\+4/);
  assertEquals(await out("a=' 12 '; b=-0x10; c=010; echo $((a + b + c))"), "4\n");
});

Deno.test("expand: arithmetic assignment changes the variable", async () => {
  assertEquals(await out("echo $((z = 4)) $((z += 2)) $((z *= 3)); echo $z"), "4 6 18\n18\n");
});

Deno.test("expand: comparisons, logic and bit operators give C results", async () => {
  assertEquals(
    await out(
      "echo $((5 > 3)) $((5 < 3)) $((!5)) $((~0)) $((6 & 3)) $((6 | 3)) $((6 ^ 3)) $((1 << 4))",
    ),
    "1 0 0 -1 2 7 5 16\n",
  );
});

Deno.test("expand: hexadecimal and octal constants", async () => {
  assertEquals(await out("echo $((0x10)) $((010)) $((0))"), "16 8 0\n");
});

Deno.test("expand: the ternary operator picks a branch", async () => {
  assertEquals(await out("echo $((1 ? 7 : 8)) $((0 ? 7 : 8))"), "7 8\n");
});

Deno.test("expand: arithmetic division by zero ends the script with status 2 (as dash) and a message", async () => {
  const result = await shIn("set +e; echo $((1 / 0)); echo after");
  assertEquals(result.exitCode, 2);
  assertEquals(result.stdout, "");
  assertMatch(result.stderr, /division by 0/);
});

Deno.test("expand: a malformed arithmetic expression ends the script with status 2", async () => {
  const result = await shIn("echo $((1 +))");
  assertEquals(result.exitCode, 2);
  assertMatch(result.stderr, /operand is missing/);
  assertEquals((await shIn("echo $((08))")).exitCode, 2);
});

Deno.test("expand: `&&` in arithmetic does not evaluate its right side when the left is 0", async () => {
  assertEquals(await out('echo $((0 && (x = 5))) "[$x]"'), "0 []\n");
});

Deno.test("expand: `||` in arithmetic does not evaluate its right side when the left is not 0", async () => {
  assertEquals(await out('echo $((1 || (y = 5))) "[$y]"'), "1 []\n");
});

Deno.test("expand: a division by zero in a short-circuited operand is not an error", async () => {
  assertEquals(await out("echo $((0 && 1 / 0)) $((1 || 1 / 0))"), "0 1\n");
});

Deno.test("expand: the ternary operator evaluates only the branch it picks", async () => {
  assertEquals(await out('echo $((1 ? 2 : 1 / 0)) $((0 ? (q = 1) : 3)) "[$q]"'), "2 3 []\n");
});

// evaluateArith directly -----------------------------------------------------------------

function scopeOf(vars: Record<string, string>) {
  return {
    get: (name: string) => vars[name],
    set: (name: string, value: string) => void (vars[name] = value),
  };
}

Deno.test("evaluateArith: evaluates with variables and reports assignments to the scope", () => {
  const vars: Record<string, string> = { n: "4" };
  assertEquals(evaluateArith("n * 2 + 1", scopeOf(vars)), 9n);
  assertEquals(evaluateArith("m = n - 1", scopeOf(vars)), 3n);
  assertEquals(vars.m, "3");
});

Deno.test("evaluateArith: an empty expression is 0", () => {
  assertEquals(evaluateArith("  ", scopeOf({})), 0n);
});

Deno.test("evaluateArith: division by zero, bad syntax and bad octal throw ArithError", () => {
  for (const text of ["1 / 0", "5 % 0", "1 +", "(1", "1 2", "09", "1 ? 2"]) {
    const error = assertThrows(() => evaluateArith(text, scopeOf({})), text);
    assert(error instanceof ArithError, `${text}: ${error}`);
  }
});

Deno.test("evaluateArith: 64-bit signed integers that wrap as in dash and bash", () => {
  const cases: [string, bigint][] = [
    ["2 ** 31", 2147483648n],
    ["2 ** 63", -9223372036854775808n],
    ["9223372036854775807 + 1", -9223372036854775808n],
    ["1 << 63", -9223372036854775808n],
    ["1 << 64", 1n],
    ["-8 >> 1", -4n],
    ["(-9223372036854775807 - 1) / -1", -9223372036854775808n],
    ["4294967296 * 4294967296", 0n],
  ];
  for (const [text, want] of cases) assertEquals(evaluateArith(text, scopeOf({})), want, text);
});

Deno.test("evaluateArith: parentheses nested 20 000 deep are an ArithError, not a crash", () => {
  const text = "(".repeat(20_000) + "1" + ")".repeat(20_000);
  const error = assertThrows(() => evaluateArith(text, scopeOf({})));
  assert(error instanceof ArithError, String(error));
  const signs = assertThrows(() => evaluateArith("-".repeat(20_000) + "1", scopeOf({})));
  assert(signs instanceof ArithError, String(signs));
});

Deno.test("evaluateArith: variables naming each other are not numbers: an ArithError", () => {
  const error = assertThrows(() => evaluateArith("a", scopeOf({ a: "b", b: "a" })));
  assert(error instanceof ArithError, String(error));
});
