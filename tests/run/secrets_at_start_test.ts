/**
 * A missing secret is caught before any step starts (LILY-E0051, exit 2, no run directory),
 * not when the step needing it starts after others ran (which once failed that step with no
 * code, exit 1, and fired on_error). Optional secret inputs stay optional.
 */
import { assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: sec
params:
  token: {type: secret}
  api: {type: secret, source: "env:API_KEY"}
  opt: {type: secret, source: "env:OPT_TOKEN"}
steps:
  - id: first
    uses: shell
    with: {run: 'echo ran > first.txt'}
  - id: report
    uses: shell
    needs: [first]
    inputs:
      token: {from: params.token}
      api: {from: params.api}
      maybe: {from: params.opt, required: false}
    with: {run: 'test -n "$LILY_INPUT_TOKEN" && echo ok'}
  - id: upload
    uses: shell
    needs: [first]
    inputs: {token: {from: params.token}}
    with: {run: 'test -n "$LILY_INPUT_TOKEN"'}
on_error:
  - id: notify
    uses: shell
    with: {run: 'echo notified > notified.txt'}
`;

Deno.test("a missing secret is an error before any step starts, naming steps and how to set it", async () => {
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const missing = await lily(["run", "flow.petal"], { cwd: dir, env });
    assertEquals(missing.code, 2, missing.stderr);
    assertMatch(
      missing.stderr,
      /error\[LILY-E0051\]: secret `token` is not set, and steps `report`, `upload` need it/,
    );
    assertMatch(missing.stderr, /export LILY_SECRET_TOKEN=…/);
    assertMatch(missing.stderr, /error\[LILY-E0051\]: secret `api` is not set, and step `report`/);
    assertMatch(missing.stderr, /export LILY_SECRET_API=…`, or `export API_KEY=…`/);
    assertEquals(missing.stderr.includes("`opt`"), false, "an optional secret stays optional");
    for (const file of ["first.txt", "notified.txt", ".lily/runs"]) {
      assertEquals(await exists(`${dir}/${file}`), false, `${file} exists: something ran`);
    }
    // Selecting only a step that needs no secret runs it.
    const only = await lily(["run", "flow.petal", "--only", "first"], { cwd: dir, env });
    assertEquals(only.code, 0, only.stderr);
    const set = await lily(["run", "flow.petal"], {
      cwd: dir,
      env: { ...env, LILY_SECRET_TOKEN: "t0k", API_KEY: "k3y" },
    });
    assertEquals(set.code, 0, set.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
