// Regressions found by a new-user trial of `uses: tool`, through the real CLI and the real
// ffmpeg: `run --locked` and unchecked versions, sync reporting every tool error of a pass,
// two steps writing one file, tool `dir` outputs, and the errors compose gives for mistakes.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, skipUnless } from "../_tools.ts";
import { project, run } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipUnless("ffmpeg");

/** Two ffmpeg tools, each with a version constraint (`version` for both). */
function twoTools(version: string): string {
  return `tools:
  clip:
    binary: ffmpeg
    version: { constraint: ${version}, args: [-version] }
    args:
      out: { type: file, role: output, required: true }
    argv: [-hide_banner, -loglevel, error, -y, -f, lavfi, -i, "testsrc=duration=1:size=64x64:rate=5", "{out}"]
  copy:
    binary: ffmpeg
    version: { constraint: ${version}, args: [-version] }
    args:
      input: { type: file, role: input, required: true }
      output: { type: file, role: output, required: true }
    argv: [-hide_banner, -loglevel, error, -y, -i, "{input}", -c, copy, "{output}"]
`;
}

const TWO_STEPS = `petal: "1"
name: tools
steps:
  - id: gen
    uses: tool
    with: { tool: clip, args: { out: work/clip.mp4 } }
  - id: cp
    uses: tool
    needs: [gen]
    with: { tool: copy, args: { input: { from: steps.gen.outputs.out }, output: work/copy.mp4 } }
`;

Deno.test({
  name: "tool fix: run --locked refuses a constrained tool whose version sync never checked",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      // Composed, never synced: the lock records no version, so --locked cannot vouch for it.
      let out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(
        out.stderr,
        /error\[LILY-E0955\]: --locked: 2 tools with a version constraint have no checked version in the lock/,
      );
      assertMatch(out.stderr, /tool clip \(process\): its version was never checked against `>=4`/);
      assertMatch(out.stderr, /hint: run `lily sync LOCK`/);
      assert(!out.stdout.includes("succeeded"), out.stdout);
      // After sync has checked it, the locked run starts.
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      out = await run(dir, ["--locked"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: sync reports every tool outside its constraint in one pass",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": twoTools('">=99"'),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 2, sync.stdout + sync.stderr);
      assertMatch(sync.stderr, /error\[LILY-E0953\]: tool `clip` is version/);
      assertMatch(sync.stderr, /error\[LILY-E0953\]: tool `copy` is version/);
      // Nothing recorded: a locked run still refuses both.
      const out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(out.stderr, /LILY-E0955/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
