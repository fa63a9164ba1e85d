// `continue [N]`: the next round of the N-th enclosing loop; its usage errors and its meaning
// outside a loop.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, shIn } from "./_sh.ts";

Deno.test("continue: skips the rest of the round of the innermost loop", async () => {
  assertEquals(await out("for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done"), "1\n3\n");
});

Deno.test("continue: a loop whose last round continued has status 0", async () => {
  assertEquals(await out('for i in 1; do false || continue; done; echo "st=$?"'), "st=0\n");
});

Deno.test("continue: `continue 2` goes on with the outer loop", async () => {
  assertEquals(
    await out("for a in x y; do for b in 1 2; do echo $a$b; continue 2; done; echo no; done"),
    "x1\ny1\n",
  );
});

Deno.test("continue: in a `while` condition runs the condition again, not the body", async () => {
  assertEquals(
    await out(
      "n=0; while n=$((n + 1)); [ $n -le 3 ] || break; [ $n != 2 ] || continue; do echo $n; done",
    ),
    "1\n3\n",
  );
});

Deno.test("continue: outside a loop does nothing, with status 0", async () => {
  assertEquals(await out('continue; echo "st=$?"'), "st=0\n");
});

Deno.test("continue: a level that is not a positive number ends the shell with status 2", async () => {
  const result = await shIn("for i in 1; do continue 0; done; echo never");
  assertEquals([result.exitCode, result.stdout], [2, ""]);
  assertMatch(result.stderr, /continue: Illegal number: 0/);
});
