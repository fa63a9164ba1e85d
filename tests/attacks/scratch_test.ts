// One scratch directory for all steps let a step read a parallel step's temp files and forge
// its output file. Each attempt now has its own TMPDIR and output file in its host's private
// part of the scratch directory, which no other host mounts. Here step `b` learns `a`'s paths
// (the worst case) while both run, and tries both; `c` shows what `a` really output.
import { assert, assertEquals } from "../_assert.ts";
import { latestManifest } from "../run/_run.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

const A = `import os, time
open(os.path.join(os.environ["TMPDIR"], "a-secret"), "w").write("A-TEMP-SECRET")
open("a-ready.tmp", "w").write(os.environ["TMPDIR"] + "\\n" + os.environ["LILY_OUTPUT"])
os.rename("a-ready.tmp", "a-ready")
while not os.path.exists("b-done"):
    time.sleep(0.05)
with open(os.environ["LILY_OUTPUT"], "a") as f:
    f.write("value=A\\n")
`;

const B = `import os, time
while not os.path.exists("a-ready"):
    time.sleep(0.05)
tmp, output = open("a-ready").read().split("\\n")
found = []
try:
    found.append("read:" + open(os.path.join(tmp, "a-secret")).read())
except OSError as e:
    found.append("read-failed")
try:
    with open(output, "a") as f:
        f.write("value=FORGED\\n")
    found.append("forged")
except OSError:
    found.append("forge-failed")
open("b-result", "w").write(" ".join(found))
open("b-done", "w").close()
`;

const FLOW = `petal: "1"
name: scratch
steps:
  - id: a
    uses: shell
    timeout: 120s
    resources: {binaries: [python3]}
    with: {run: python3 a.py}
    outputs: {value: {type: str}}
  - id: b
    uses: shell
    timeout: 120s
    resources: {binaries: [python3]}
    with: {run: python3 b.py}
  - id: c
    uses: shell
    needs: [a]
    inputs: {v: {from: steps.a.outputs.value}}
    with: {run: 'echo "$LILY_INPUT_V" > c.txt'}
`;

for (const config of CONFIGS) {
  Deno.test({
    name:
      `attack [${config.name}]: a parallel step cannot read another's temp files or forge its output`,
    ignore: skipConfig(config),
    async fn() {
      const dir = await projectIn(config, { "flow.petal": FLOW, "a.py": A, "b.py": B });
      try {
        const out = await runIn(config, dir, ["-j", "2"]);
        assertEquals(out.code, 0, out.stdout + out.stderr);
        const result = Deno.readTextFileSync(`${dir}/b-result`);
        const record = latestManifest(dir).steps.b.enforcement;
        assertEquals(result, "read-failed forge-failed");
        assertEquals(Deno.readTextFileSync(`${dir}/c.txt`).trim(), "A");
        assert(/private per attempt \(each host/.test(record.holds.scratch), record.holds.scratch);
      } finally {
        await cleanup(dir);
      }
    },
  });
}
