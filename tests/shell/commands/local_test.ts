// `local`: a function's own copy of a variable, restored (value and export) at return.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, status } from "./_sh.ts";

Deno.test("local: the value comes back when the function returns", async () => {
  assertEquals(await out('x=1; f() { local x=2; echo "$x"; }; f; echo "$x"'), "2\n1\n");
});

Deno.test("local: a callee sees the caller's local value (dynamic scope)", async () => {
  assertEquals(await out('f() { local x=in; g; }; g() { echo "$x"; }; x=out; f; g'), "in\nout\n");
});

Deno.test("local: `local NAME` keeps the current value (as dash), and unset ones come back unset", async () => {
  assertEquals(
    await out('x=1; f() { local x y; echo "[$x][$y]"; y=2; }; f; echo "[$x][${y-unset}]"'),
    "[1][]\n[1][unset]\n",
  );
});

Deno.test("local: an exported variable is exported again after return", async () => {
  assertEquals(await out("export x=1; f() { local x=2; printenv x; }; f; printenv x"), "2\n1\n");
});

Deno.test("local: outside a function, or with a bad name, is status 2", async () => {
  const outside = await status("local x");
  assertEquals(outside.stdout, "status=2\n");
  assertMatch(outside.stderr, /local: not in a function/);
  assertEquals((await status("f() { local 1x; }; f")).stdout, "status=2\n");
});
