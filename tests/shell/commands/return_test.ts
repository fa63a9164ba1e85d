// `return [N]`: ends the innermost function call; outside one, the script.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, shIn } from "./_sh.ts";

Deno.test("return: ends the function with N, the caller going on", async () => {
  assertEquals(
    await out('f() { echo in; return 3; echo never; }; f || echo "st=$?"; echo after'),
    "in\nst=3\nafter\n",
  );
});

Deno.test("return: without N, the status is the last command's", async () => {
  assertEquals(await out('f() { false; return; }; f || echo "st=$?"'), "st=1\n");
});

Deno.test("return: N is taken modulo 256", async () => {
  assertEquals(await out('f() { return 257; }; f || echo "st=$?"; echo $?'), "st=1\n0\n");
});

Deno.test("return: ends only the innermost call, from inside a loop too", async () => {
  assertEquals(
    await out("g() { for i in 1 2; do return 0; done; echo never; }; f() { g; echo f; }; f"),
    "f\n",
  );
});

Deno.test("return: outside a function ends the script with N", async () => {
  const result = await shIn("echo a; return 4; echo never");
  assertEquals([result.exitCode, result.stdout], [4, "a\n"]);
});

Deno.test("return: a non-numeric N ends the shell with status 2", async () => {
  const result = await shIn("f() { return x; }; f; echo never");
  assertEquals([result.exitCode, result.stdout], [2, ""]);
  assertMatch(result.stderr, /return: Illegal number: x/);
});
