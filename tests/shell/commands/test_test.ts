// `test` and `[`: file, string and integer tests, `!`, `-a`, `-o`, parentheses, errors.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { sh, shIn, status, withTempDir } from "./_sh.ts";

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
