/**
 * `lily explain LOCK --why a` compares only against runs of the same workflow: a step `a` of
 * another workflow's run once answered ("a in run … (a different lock): succeeded").
 */
import { assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const flow = (name: string, text: string) =>
  `petal: "1"
name: ${name}
steps:
  - id: a
    uses: shell
    with: {run: 'echo ${text}'}
`;

Deno.test("explain --why ignores runs of other workflows that have a step of the same id", async () => {
  const dir = await tempProject({
    "one.petal": flow("one", "first"),
    "two.petal": flow("two", "second"),
  });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    for (const name of ["one", "two"]) {
      const out = await lily(["compose", `${name}.petal`, "-o", `${name}.lock.yaml`, "-q"], {
        cwd: dir,
      });
      assertEquals(out.code, 0, out.stderr);
    }
    const ran = await lily(["run", "one.lock.yaml"], { cwd: dir, env });
    assertEquals(ran.code, 0, ran.stderr);
    const other = await lily(["explain", "two.lock.yaml", "--why", "a"], { cwd: dir, env });
    assertEquals(other.code, 0, other.stderr);
    assertNotMatch(other.stdout, /in run /);
    assertMatch(other.stdout, /a: no run has recorded this step yet/);
    const same = await lily(["explain", "one.lock.yaml", "--why", "a"], { cwd: dir, env });
    assertMatch(same.stdout, /^a in run \S+: succeeded/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
