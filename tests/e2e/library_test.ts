// The library API of mod.ts: compose, read and run without the CLI.
import { assertEquals } from "../_assert.ts";
import { compose, readLock, run } from "../../mod.ts";
import { tempProject } from "../_tools.ts";

Deno.test("mod.ts composes, reads and runs a workflow", async () => {
  const dir = await tempProject({
    "flow.petal":
      `petal: "1"\nname: lib\nsteps:\n  - {id: a, uses: shell, with: {run: 'echo "x=1" >> "$LILY_OUTPUT"'}, outputs: {x: {type: int}}}\n`,
  });
  try {
    const [point] = await compose(["flow.petal"], { cwd: dir });
    await Deno.mkdir(`${dir}/locks`);
    await Deno.writeTextFile(point.outputPath, point.text);
    assertEquals((await readLock(point.outputPath)).spec_hash, point.lock.spec_hash);
    const result = await run(point.outputPath);
    assertEquals(result.status, "succeeded");
    assertEquals(result.manifest.steps.a.outputs.x.value, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
