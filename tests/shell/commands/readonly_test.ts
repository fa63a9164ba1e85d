// `readonly`: marking variables read-only, listing them, and what an assignment to one does.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, shIn, status } from "./_sh.ts";

Deno.test("readonly: `readonly A=1 B` sets A and keeps both values", async () => {
  assertEquals(await out('B=2; readonly A=1 B; echo "$A$B"'), "12\n");
});

Deno.test("readonly: an assignment to a read-only variable ends the shell with status 2", async () => {
  const result = await shIn("readonly A=1; A=2; echo never");
  assertEquals([result.exitCode, result.stdout], [2, ""]);
  assertMatch(result.stderr, /A: is read only/);
});

Deno.test("readonly: `unset` of a read-only variable ends the shell with status 2", async () => {
  const result = await shIn("readonly A=1; unset A; echo never");
  assertEquals([result.exitCode, result.stdout], [2, ""]);
});

Deno.test("readonly: alone or with -p, lists the read-only variables quoted and sorted", async () => {
  assertEquals(
    await out('readonly B="it\'s" A; readonly; readonly -p'),
    "readonly A\nreadonly B='it'\\''s'\n".repeat(2),
  );
});

Deno.test("readonly: an invalid name is status 1 with a message", async () => {
  const result = await status("readonly 1A=x");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /not a valid identifier/);
});
