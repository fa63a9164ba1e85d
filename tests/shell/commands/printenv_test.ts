// `printenv`: exported variables only, as a program would see them.
import { assertEquals } from "../../_assert.ts";
import { sh, status, withTempDir } from "./_sh.ts";

Deno.test("printenv: with no names lists exported variables only, sorted", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("HIDDEN=1; export Z=2 A=1; printenv", dir, { env: { G: "g" } });
    assertEquals(result.stdout, `A=1\nG=g\nPWD=${dir}\nZ=2\n`);
  });
});

Deno.test("printenv: an unknown or unexported name is status 1 and prints nothing", async () => {
  assertEquals((await status("HIDDEN=1; printenv HIDDEN")).stdout, "status=1\n");
  assertEquals((await status("printenv NOPE")).stdout, "status=1\n");
});

Deno.test("printenv: sees a variable assigned before it, like a program would", async () => {
  assertEquals((await status("A=1 printenv A")).stdout, "1\nstatus=0\n");
});
