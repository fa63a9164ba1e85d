// `cp`: files, into directories, trees with `-r`, and the failures.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
