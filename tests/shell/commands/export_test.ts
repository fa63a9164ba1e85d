// `export`: setting, exporting, listing, and an invalid name.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { out, sh, status, withTempDir } from "./_sh.ts";

Deno.test("export: `export A=1 B` sets and exports; printenv shows them", async () => {
  assertEquals(await out("B=2; export A=1 B; printenv A B"), "1\n2\n");
});

Deno.test("export: an invalid name is status 1 with a message", async () => {
  const result = await status("export 1A=x");
  assertEquals(result.stdout, "status=1\n");
  assertMatch(result.stderr, /not a valid identifier/);
});

Deno.test("export: with no names lists exported variables, quoted and sorted", async () => {
  await withTempDir(async (dir) => {
    const result = await sh('export B="x y" A=1; export', dir);
    assertEquals(result.stdout, `export A="1"\nexport B="x y"\nexport PWD="${dir}"\n`);
  });
});
