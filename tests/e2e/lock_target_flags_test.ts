/**
 * A lock is frozen: `-p` and `--profile` with a lock target are an error naming the flag
 * (LILY-E0050), never silently ignored (`lily run x.lock.yaml -p who=Bob` once ran with the
 * lock's value).
 */
import { assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: flagged
params:
  who: {type: str, default: world}
steps:
  - id: greet
    uses: shell
    with: {run: 'echo "said=Hello {{ params.who }}" >> "$LILY_OUTPUT"'}
    outputs: {said: {type: str}}
`;

Deno.test("run and explain refuse -p/--profile with a lock target, naming the flag", async () => {
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], {
      cwd: dir,
    });
    assertEquals(composed.code, 0, composed.stderr);
    for (
      const args of [
        ["run", "flow.lock.yaml", "-p", "who=Bob"],
        ["run", "flow.lock.yaml", "-p", "nosuch=1"],
        ["run", "flow.lock.yaml", "--profile", "nosuch"],
        ["explain", "flow.lock.yaml", "-p", "who=Bob"],
        ["explain", "flow.lock.yaml", "--profile", "nosuch"],
      ]
    ) {
      const out = await lily(args, { cwd: dir, env });
      assertEquals(out.code, 2, `${args.join(" ")}: ${out.stderr}`);
      assertMatch(out.stderr, /LILY-E0050/);
      assertMatch(out.stderr, new RegExp(`--> ${args[2]} ${args[3]} \\(command line\\)`));
      assertMatch(out.stderr, /hint: compose the \.petal with .*lily run flow\.petal/);
      assertNotMatch(out.stderr, /at .*\.ts:\d+/);
    }
    // Nothing ran: no run directory was made.
    assertEquals([...Deno.readDirSync(dir)].some((e) => e.name === ".lily"), false);
    // The same flags with the workflow still work.
    const ran = await lily(["run", "flow.petal", "-p", "who=Bob", "--json"], { cwd: dir, env });
    assertEquals(ran.code, 0, ran.stderr);
    assertEquals(JSON.parse(ran.stdout).steps.greet.outputs.said.value, "Hello Bob");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
