/**
 * Attacks on Lily's own state, through the real CLI: a lock edited after compose keeps its
 * `spec_hash` field, and a forged entry in the user's compiled-lock cache.
 */
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { project } from "../run/_run.ts";

const FLOW = `petal: "1"
name: tamper
steps:
  - id: a
    uses: shell
    with: {run: echo "said=safe" >> "$LILY_OUTPUT"}
    outputs: {said: {type: str}}
`;

const env = (dir: string) => ({ XDG_CACHE_HOME: `${dir}/.xdg` });

/** Rewrites the command in the lock, keeping every other byte (and the spec_hash field). */
async function tamper(dir: string): Promise<void> {
  const path = `${dir}/flow.lock.yaml`;
  const text = await Deno.readTextFile(path);
  assert(text.includes("said=safe"));
  await Deno.writeTextFile(path, text.replaceAll("said=safe", "said=EVIL"));
}

for (
  const [what, args] of [
    ["run", ["run", "flow.lock.yaml"]],
    ["run --locked", ["run", "flow.lock.yaml", "--locked"]],
    ["verify", ["verify", "flow.lock.yaml"]],
  ] as const
) {
  Deno.test(`a lock edited after compose is refused by \`lily ${what}\``, async () => {
    const dir = await project({ "flow.petal": FLOW });
    try {
      await tamper(dir);
      const out = await lily([...args], { cwd: dir, env: env(dir) });
      assertEquals(out.code, 2, out.stdout + out.stderr);
      assertMatch(out.stderr, /LILY-E0870/);
      assertMatch(out.stderr, /edited after compose/);
      assertMatch(out.stderr, /lily compose flow\.petal/);
      assert(!out.stderr.includes("    at "), out.stderr);
      // Nothing ran the edited command.
      assert(!out.stdout.includes("EVIL") && !out.stderr.includes("said=EVIL"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a lock edited after a run is refused even though its compiled form is cached", async () => {
  const dir = await project({ "flow.petal": FLOW });
  try {
    const first = await lily(["run", "flow.lock.yaml"], { cwd: dir, env: env(dir) });
    assertEquals(first.code, 0, first.stderr);
    await tamper(dir);
    const out = await lily(["run", "flow.lock.yaml"], { cwd: dir, env: env(dir) });
    assertEquals(out.code, 2, out.stderr);
    assertMatch(out.stderr, /LILY-E0870/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a forged entry in the compiled-lock cache is a miss, never the plan that runs", async () => {
  const dir = await project({
    "flow.petal": FLOW.replace(
      "    uses: shell\n",
      "    uses: shell\n    cache: {policy: never}\n",
    ),
  });
  try {
    const first = await lily(["run", "flow.lock.yaml"], { cwd: dir, env: env(dir) });
    assertEquals(first.code, 0, first.stderr);
    const cacheDir = `${dir}/.xdg/lily/locks`;
    const entries = [...Deno.readDirSync(cacheDir)].filter((e) => e.name.endsWith(".json"));
    assertEquals(entries.length, 1);
    const file = `${cacheDir}/${entries[0].name}`;
    // The forger rewrites the command inside the cached JSON (it cannot read the key; the
    // spec_hash field is left as it was, or recomputed: both must fail).
    const text = await Deno.readTextFile(file);
    assert(text.includes("said=safe"));
    await Deno.writeTextFile(file, text.replaceAll("said=safe", "said=EVIL"));
    const out = await lily(["run", "flow.lock.yaml", "--events", "-"], {
      cwd: dir,
      env: env(dir),
    });
    assertEquals(out.code, 0, out.stderr);
    assert(out.stdout.includes('"value":"safe"'), out.stdout);
    assert(!out.stdout.includes("EVIL"), out.stdout);
    assert(!(await Deno.readTextFile(file)).includes("EVIL"), "the forged entry was rewritten");
    // A corrupt entry is a miss too (and is rewritten).
    await Deno.writeTextFile(file, "{not json");
    const again = await lily(["run", "flow.lock.yaml"], { cwd: dir, env: env(dir) });
    assertEquals(again.code, 0, again.stderr);
    JSON.parse(await Deno.readTextFile(file));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
