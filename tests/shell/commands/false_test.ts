// `false`: status 1 whatever its arguments.
import { assertEquals } from "../../_assert.ts";
import { shIn, status } from "./_sh.ts";

Deno.test("false: fails with status 1, with or without arguments", async () => {
  assertEquals((await status("false")).stdout, "status=1\n");
  assertEquals((await status("false x y")).stdout, "status=1\n");
});

Deno.test("false: ends the script under errexit (the default)", async () => {
  const result = await shIn("echo before; false; echo after");
  assertEquals([result.exitCode, result.stdout], [1, "before\n"]);
});
