// `cd`: relative moves, `cd` alone to the project root, `cd -`, and the failures.
import { assertEquals, assertMatch } from "../../_assert.ts";
import { sh, status, withTempDir } from "./_sh.ts";

Deno.test("cd: goes into a directory relative to the current one; pwd prints it", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir -p a/b; cd a; cd b; pwd; cd ..; pwd", dir);
    assertEquals(result.stdout, `${dir}/a/b\n${dir}/a\n`);
  });
});

Deno.test("cd: alone goes to $LILY_PROJECT_ROOT", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    const result = await sh("cd; pwd", `${dir}/sub`, {
      env: { LILY_PROJECT_ROOT: dir },
      readRoots: [dir],
      writeRoots: [dir],
    });
    assertEquals(result.stdout, `${dir}\n`);
  });
});

Deno.test("cd: `-` goes back to $OLDPWD and prints it", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("mkdir d; cd d; cd -; echo $OLDPWD", dir);
    assertEquals(result.stdout, `${dir}\n${dir}/d\n`);
  });
});

Deno.test("cd: a missing directory or a file is status 1 with a message", async () => {
  const missing = await status("cd nope");
  assertEquals(missing.stdout, "status=1\n");
  assertMatch(missing.stderr, /cd: nope: No such file or directory/);
  const file = await status("touch f; cd f");
  assertEquals(file.stdout, "status=1\n");
  assertMatch(file.stderr, /cd: f: Not a directory/);
});
