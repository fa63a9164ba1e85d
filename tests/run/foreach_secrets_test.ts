/**
 * A foreach over a run-time list whose inner step needs a secret: a missing secret is LILY-E0051
 * before any step starts, like any step's. The check read only the lock's steps, and the inner
 * step of a run-time foreach lives in its collector's rule, so the list step ran and then every
 * sub-step failed on its own, with no code. Found building examples/llm (`--profile openai`).
 */
import { assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: fan
params:
  token: {type: secret, source: "env:FAN_TOKEN"}
steps:
  - id: list
    uses: shell
    with: {run: 'echo ran > list.txt; echo "names=[\\"a\\", \\"b\\"]" >> "$LILY_OUTPUT"'}
    outputs: {names: {type: json}}
  - id: each
    uses: foreach
    with:
      items: steps.list.outputs.names
      step:
        uses: shell
        inputs: {token: {from: params.token}}
        with: {run: 'test -n "$LILY_INPUT_TOKEN" && echo "item $LILY_INPUT_ITEM"'}
`;

Deno.test("a run-time foreach's inner step's secret is checked before any step starts", async () => {
  const dir = await tempProject({ ".lilyrc": "", "flow.petal": FLOW });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const missing = await lily(["run", "flow.petal"], { cwd: dir, env });
    assertEquals(missing.code, 2, missing.stderr);
    assertMatch(
      missing.stderr,
      /error\[LILY-E0051\]: secret `token` is not set, and step `each` needs it \(nothing ran\)/,
    );
    assertMatch(missing.stderr, /`export FAN_TOKEN=…` \(its `source:`\)/);
    for (const file of ["list.txt", ".lily/runs"]) {
      const there = await Deno.stat(`${dir}/${file}`).then(() => true, () => false);
      assertEquals(there, false, `${file} exists: something ran`);
    }
    // With the secret, every item runs.
    const set = await lily(["run", "flow.petal"], {
      cwd: dir,
      env: { ...env, FAN_TOKEN: "fan-secret-4217" },
    });
    assertEquals(set.code, 0, set.stderr);
    const [run] = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name);
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/.lily/runs/${run}/manifest.json`));
    assertEquals(
      ["each@0", "each@1"].map((id) => manifest.steps[id]?.status),
      ["succeeded", "succeeded"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
