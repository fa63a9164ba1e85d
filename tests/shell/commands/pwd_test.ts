// `pwd`: the shell's current directory, as `cd` left it.
import { assertEquals } from "../../_assert.ts";
import { sh, withTempDir } from "./_sh.ts";

Deno.test("pwd: prints the directory the script starts in", async () => {
  await withTempDir(async (dir) => {
    assertEquals((await sh("pwd", dir)).stdout, `${dir}\n`);
  });
});

Deno.test("pwd: follows `cd`, and a subshell's `cd` stays in the subshell", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir -p a/b; cd a; pwd; (cd b; pwd); pwd", dir);
    assertEquals(result.stdout, `${dir}/a\n${dir}/a/b\n${dir}/a\n`);
  });
});
