// `true` and `:`: status 0 whatever their arguments.
import { assertEquals } from "../../_assert.ts";
import { status } from "./_sh.ts";

Deno.test("true: `true` and `:` succeed, with or without arguments", async () => {
  assertEquals((await status("true")).stdout, "status=0\n");
  assertEquals((await status("false; true x y")).stdout, "status=0\n");
  assertEquals((await status("false; : ignored args")).stdout, "status=0\n");
});
