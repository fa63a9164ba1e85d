// `sleep`: valid and invalid intervals (exec_test.ts shows an abort stops it).
import { assertEquals, assertMatch } from "../../_assert.ts";
import { status } from "./_sh.ts";

Deno.test("sleep: waits for a valid interval and succeeds", async () => {
  assertEquals((await status("sleep 0 0.01 .01s")).stdout, "status=0\n");
});

Deno.test("sleep: an invalid interval is status 1 with a message", async () => {
  const result = await status("sleep abc");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /invalid time interval 'abc'/);
});
