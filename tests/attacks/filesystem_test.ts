// Allowed programs are kept to the roots too (Linux, bubblewrap): a file outside the project
// is not there for them, and what they write outside it does not land.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { skipUnless } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

Deno.test({
  name: "an allowed program cannot read or write outside the roots (mount namespace)",
  ignore: Deno.build.os !== "linux" || skipUnless("bwrap", "python3", "head"),
  fn: async () => {
    const outside = await Deno.makeTempDir({ prefix: "lily-outside-" });
    // A file in the user's home, like ~/.ssh/id_rsa or ~/.aws/credentials.
    const homeFile = `${Deno.env.get("HOME")}/.lily-test-${crypto.randomUUID()}`;
    await Deno.writeTextFile(homeFile, "home secret");
    const secret = `outside-secret-${crypto.randomUUID()}`;
    await Deno.writeTextFile(`${outside}/secret.txt`, secret);
    const dir = await project({
      "flow.petal": `petal: "1"
name: fs
steps:
  - id: read
    uses: shell
    resources: {binaries: [head]}
    with: {run: "head -c 200 ${outside}/secret.txt > copy.txt"}
  - id: write
    uses: shell
    resources: {binaries: [python3]}
    with: {run: "python3 -c \\"open('${outside}/pwned', 'w').write('x')\\""}
  - id: home
    uses: shell
    resources: {binaries: [python3]}
    with: {run: "python3 -c \\"import os; print(sorted(os.listdir(os.environ['HOME'])))\\" > home.txt"}
  - id: state
    uses: shell
    resources: {binaries: [python3]}
    with: {run: "python3 -c \\"import os; print(os.listdir('.lily'))\\" > state.txt"}
`,
    });
    try {
      const out = await run(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout + out.stderr);
      const m = latestManifest(dir);
      assertEquals([m.steps.read.status, m.steps.write.status], ["failed", "failed"]);
      assertMatch(m.steps.read.enforcement.filesystem, /mount namespace/);
      let copied = "";
      try {
        copied = Deno.readTextFileSync(`${dir}/copy.txt`);
      } catch {
        // not even created: fine
      }
      assert(!copied.includes(secret), "the secret outside the roots was not read");
      assert(
        !(await Deno.stat(`${outside}/pwned`).then(() => true, () => false)),
        "nothing was written outside the roots",
      );
      assertEquals(m.steps.home.status, "succeeded");
      const listing = Deno.readTextFileSync(`${dir}/home.txt`);
      assert(!listing.includes(".lily-test-"), `the home's files are hidden: ${listing}`);
      assertEquals(m.steps.state.status, "succeeded");
      assertEquals(Deno.readTextFileSync(`${dir}/state.txt`).trim(), "[]", ".lily is empty");
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
      await Deno.remove(homeFile);
    }
  },
});
