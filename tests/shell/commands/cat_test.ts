// `cat`: files and stdin in order, streamed; a missing file or a directory is reported and the others still print.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
