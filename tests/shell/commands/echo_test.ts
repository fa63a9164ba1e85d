// `echo`: spaces and newline, `-n`, `-e` escapes (off by default, as in bash).
import { assertEquals } from "../../_assert.ts";
import { out } from "./_sh.ts";

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
