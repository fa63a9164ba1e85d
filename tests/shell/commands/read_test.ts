// `read`: fields and `IFS`, `REPLY`, `-r`, consecutive lines, end of input.
import { assertEquals } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
