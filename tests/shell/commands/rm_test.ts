// `rm`: files and trees, `-f`, and the paths it refuses.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

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
