// `exit`: a non-numeric argument (exec_test.ts covers N, modulo 256 and `exit` alone).
import { assertEquals, assertMatch } from "../../_assert.ts";
import { shIn } from "./_sh.ts";

Deno.test("exit: a non-numeric argument is status 2 with a message", async () => {
  const result = await shIn("exit abc; echo no");
  assertEquals(result.exitCode, 2);
  assertMatch(result.stderr, /numeric argument required/);
});
