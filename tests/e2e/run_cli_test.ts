// `lily run` as a command line: stale locks, flag forms, the project root, run directories.
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { project, run } from "../run/_run.ts";

const FLOW = `petal: "1"
name: cli
steps:
  - {id: a, uses: shell, with: {run: "echo a"}}
  - {id: b, uses: shell, with: {run: "echo b"}}
  - {id: c, uses: shell, needs: [a], with: {run: "echo c"}}
`;

Deno.test("a stale lock runs with a one-line warning; --locked prints the diff it announces", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const fresh = await run(dir);
    assertEquals(fresh.code, 0, fresh.stderr);
    assertNotMatch(fresh.stderr, /stale/);
    await Deno.writeTextFile(`${dir}/flow.petal`, FLOW.replace('"echo b"', '"echo B"'));
    const stale = await run(dir);
    assertEquals(stale.code, 0, stale.stderr);
    const warnings = stale.stderr.split("\n").filter((l) => /stale/.test(l));
    assertEquals(warnings.length, 1, stale.stderr);
    assertMatch(warnings[0], /^warning: flow\.lock\.yaml is stale: .*flow\.petal.* changed/);
    const locked = await run(dir, ["--locked"]);
    assertEquals(locked.code, 2);
    assertMatch(locked.stderr, /LILY-E0803/);
    assertMatch(locked.stderr, /with\.run: "echo b" → "echo B"/, "the diff itself is shown");
    assertNotMatch(locked.stderr, /diff below/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
