// `unset`: removes variables; an unknown one is fine.
import { assertEquals } from "../../_assert.ts";
import { out } from "./_sh.ts";

Deno.test("unset: removes variables; an unknown one is fine", async () => {
  assertEquals(await out('A=1; B=2; unset A NOPE; echo "[$A][$B]"'), "[][2]\n");
});
