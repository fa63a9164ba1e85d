// `touch`: creating, updating the modification time, `-c`.
import { assert, assertEquals } from "../../_assert.ts";
import { out, sh, status, withTempDir } from "./_sh.ts";

Deno.test("touch: creates an empty file", async () => {
  assertEquals(await out("touch a b; test -f a && test -f b && ! test -s a && echo ok"), "ok\n");
});

Deno.test("touch: updates the modification time of an existing file", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/f`, "keep");
    const old = new Date("2001-01-01T00:00:00Z");
    await Deno.utime(`${dir}/f`, old, old);
    assertEquals((await sh("touch f", dir)).exitCode, 0);
    const stat = await Deno.stat(`${dir}/f`);
    assert(stat.mtime!.getTime() > old.getTime(), "mtime was not updated");
    assertEquals(await Deno.readTextFile(`${dir}/f`), "keep");
  });
});

Deno.test("touch: -c does not create; no operand is status 2", async () => {
  assertEquals(await out("touch -c f; test -e f || echo absent"), "absent\n");
  assertEquals((await status("touch")).stdout, "status=2\n");
});
