// The python snippet of docs/petal.md runs as written: its workflow and its script are taken
// from the page, composed and run through the real CLI, and their outputs checked.
import { assertEquals } from "../_assert.ts";
import { skipUnless } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

Deno.test({
  name: "docs/petal.md: the python steps snippet runs and gives what the page says",
  ignore: Deno.build.os !== "linux" || skipUnless("python3"),
  fn: async () => {
    const page = await Deno.readTextFile(new URL("../../docs/petal.md", import.meta.url));
    const flow = /```yaml\n# python-snippet[^\n]*\n([\s\S]*?)```/.exec(page)?.[1];
    const script = /with `scripts\/report\.py`:\n\n```python\n([\s\S]*?)```/.exec(page)?.[1];
    if (!flow || !script) throw new Error("the python snippet is missing from docs/petal.md");
    const dir = await project({ "flow.petal": flow, "scripts/report.py": script });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const steps = latestManifest(dir).steps;
      assertEquals(steps.square.outputs.square.value, 36);
      assertEquals(steps.square.outputs.stats.value, { n: 6, even: true });
      assertEquals(steps.report.outputs.line.value, "n=6 even=True");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
