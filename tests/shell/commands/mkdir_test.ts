// `mkdir`: plain and `-p`, and the failures with their statuses.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
