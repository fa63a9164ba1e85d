// Process metrics a run can measure: programs started, and (Linux, sandboxed) their CPU time.
import { assert, assertEquals } from "../_assert.ts";
import { skipUnless } from "../_tools.ts";
import { latestManifest, project, run } from "./_run.ts";

Deno.test({
  name: "the manifest records the programs a step started and the CPU time they used",
  ignore: Deno.build.os !== "linux" || skipUnless("python3"),
  fn: async () => {
    const dir = await project({
      "flow.petal": `petal: "1"
name: metrics
steps:
  - id: burn
    uses: shell
    resources: {binaries: [python3]}
    with: {run: "python3 -c 'import time; t = time.process_time(); [0 for _ in iter(lambda: time.process_time() - t < 0.3, False)]'"}
  - id: idle
    uses: shell
    with: {run: "sleep 0.2"}
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr);
      const m = latestManifest(dir);
      assertEquals(m.steps.burn.metrics.programs_started, 1);
      const cpu = m.steps.burn.metrics.programs_cpu_ms;
      assert(cpu >= 250, `python3 burned ≥ 0.3 s of CPU, recorded ${cpu} ms`);
      assertEquals(m.steps.idle.metrics.programs_started, 0, "sleep is a built-in");
      assert(m.steps.idle.metrics.wall_ms >= 190);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
