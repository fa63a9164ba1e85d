// `mv`: renaming, moving into a directory, and a missing source.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
