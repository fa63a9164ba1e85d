// docs/extending.md's worked example is real: its `adapters/echo.ts` block, written to a file
// as printed, runs a composed lock's step through the engine (as `ADAPTER_FACTORIES` would
// hand it over), its output reaches the log, its `echoed` output the manifest, and its
// enforcement record the manifest's step entry.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { project } from "../run/_run.ts";
import { readLockFile } from "../../src/lock/read.ts";
import { runLock } from "../../src/run/engine.ts";
import type { Adapter } from "../../adapters/types.ts";

const root = new URL("../../", import.meta.url);

/** The fenced block of `markdown` whose info string is `info`. */
function block(markdown: string, info: string): string {
  const start = markdown.indexOf("```" + info + "\n");
  assert(start >= 0, `no \`\`\`${info} block`);
  const body = markdown.slice(start + info.length + 4);
  return body.slice(0, body.indexOf("\n```"));
}

Deno.test("docs/extending.md: the echo adapter runs a step through the engine", async () => {
  const doc = await Deno.readTextFile(new URL("docs/extending.md", root));
  const source = block(doc, "ts adapters/echo.ts").replace(
    '"./types.ts"',
    JSON.stringify(new URL("adapters/types.ts", root).href),
  );
  const dir = await project({
    "flow.petal": `petal: "1"
name: echo
steps:
  - id: hello
    uses: shell
    with: {run: echo hello from a doc}
    outputs: {echoed: {type: int}}
`,
  });
  try {
    await Deno.writeTextFile(`${dir}/echo.ts`, source);
    const { echoAdapter } = await import(`file://${dir}/echo.ts`) as {
      echoAdapter: () => Adapter;
    };
    const lock = await readLockFile(`${dir}/flow.lock.yaml`);
    const adapter = echoAdapter();
    const result = await runLock(lock, {
      projectRoot: dir,
      cacheDir: `${dir}/.cache`,
      adapterFor: () => adapter,
    });
    assertEquals(result.status, "succeeded");
    const step = result.manifest.steps.hello;
    assertEquals(step.outputs.echoed.value, "echo hello from a doc".length);
    assertEquals(step.enforcement?.sandbox, "none");
    assertEquals(step.enforcement?.executed, false);
    const log = await Deno.readTextFile(`${result.runDir}/${step.logs[0]}`);
    assertMatch(log, /^echo hello from a doc\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
