// `break [N]`: leaves the N-th enclosing loop; its usage errors and its meaning outside a loop.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, shIn } from "./_sh.ts";

Deno.test("break: leaves the innermost loop, and the loop's status is 0", async () => {
  assertEquals(
    await out('for i in 1 2 3; do [ $i = 2 ] && break; echo $i; done; echo "st=$?"'),
    "1\nst=0\n",
  );
  assertEquals(
    await out("n=0; while :; do n=$((n + 1)); [ $n = 3 ] && break; done; echo $n"),
    "3\n",
  );
});

Deno.test("break: `break 2` leaves two loops; more levels than loops leaves them all", async () => {
  const script = "for a in x y; do for b in 1 2; do echo $a$b; break LEVELS; done; done; echo end";
  assertEquals(await out(script.replace("LEVELS", "2")), "x1\nend\n");
  assertEquals(await out(script.replace("LEVELS", "9")), "x1\nend\n");
  assertEquals(await out(script.replace("LEVELS", "1")), "x1\ny1\nend\n");
});

Deno.test("break: in a `while` condition leaves that loop", async () => {
  assertEquals(await out("while break; do echo body; done; echo after"), "after\n");
});

Deno.test("break: outside a loop does nothing, with status 0", async () => {
  assertEquals(await out('break; echo "st=$?"'), "st=0\n");
});

Deno.test("break: a function body does not see the caller's loop", async () => {
  assertEquals(await out("f() { break; }; for i in 1 2; do f; echo $i; done"), "1\n2\n");
});

Deno.test("break: a level that is not a positive number ends the shell with status 2", async () => {
  for (const level of ["0", "x", "-1"]) {
    const result = await shIn(`for i in 1; do break ${level}; done; echo never`);
    assertEquals([result.exitCode, result.stdout], [2, ""], level);
    assertMatch(result.stderr, /break: Illegal number/);
  }
});
