// `shift [N]`: drops positional parameters; shifting too many is an error that ends the shell.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, shIn } from "./_sh.ts";

Deno.test("shift: drops the first parameter, or the first N", async () => {
  assertEquals(
    await out('set -- a b c d; shift; echo "$# $1"; shift 2; echo "$# $1"'),
    "3 b\n1 d\n",
  );
});

Deno.test("shift: `shift 0` and shifting all of them are fine", async () => {
  assertEquals(await out('set -- a b; shift 0; echo "$#"; shift 2; echo "$#"'), "2\n0\n");
});

Deno.test("shift: in a function shifts the function's arguments only", async () => {
  assertEquals(await out('set -- x y; f() { shift; echo "$1"; }; f a b; echo "$1"'), "b\nx\n");
});

Deno.test("shift: more than there are ends the shell with status 2", async () => {
  const result = await shIn("set -- a; shift 2; echo never");
  assertEquals([result.exitCode, result.stdout], [2, ""]);
  assertMatch(result.stderr, /shift: can't shift that many/);
});

Deno.test("shift: a count that is not a number ends the shell with status 2", async () => {
  const result = await shIn("set -- a; shift x; echo never");
  assertEquals(result.exitCode, 2);
  assertMatch(result.stderr, /shift: Illegal number: x/);
});
