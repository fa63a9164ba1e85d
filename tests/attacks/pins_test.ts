// Pins hold at the moment of use: a step rewrote a pinned script inside the project (or moved
// its directory away and put another in its place), and the next step ran it with a secret.
// Every host shows each pinned program read-only, as the bytes verified at the run's start.
import { assertEquals } from "../_assert.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

const EVIL = "#!/bin/sh\\necho PWNED\\n";

for (const config of CONFIGS) {
  for (
    const [how, tamper] of [
      ["rewritten", `open("tools/run.sh", "w").write("${EVIL}")`],
      [
        "replaced by moving its directory",
        `import os; os.rename("tools", "tools-old"); os.mkdir("tools"); ` +
        `open("tools/run.sh", "w").write("${EVIL}"); os.chmod("tools/run.sh", 0o755)`,
      ],
    ] as const
  ) {
    Deno.test({
      name:
        `attack [${config.name}]: a pinned script ${how} by a step is not what the next step runs`,
      ignore: skipConfig(config),
      async fn() {
        const flow = `petal: "1"
name: pins
steps:
  - id: tamper
    uses: shell
    resources: {binaries: [python3]}
    with:
      run: python3 tamper.py
  - id: use
    uses: shell
    needs: [tamper]
    resources: {binaries: [run.sh]}
    with:
      run: run.sh > used.txt
`;
        const dir = await projectIn(config, {
          "flow.petal": flow,
          "tools/run.sh": "#!/bin/sh\necho pinned\n",
          "tamper.py": `try:\n    ${
            tamper.replaceAll("; ", "\n    ")
          }\nexcept OSError as e:\n    print("tamper failed:", e)\n`,
        }, {
          executable: ["tools/run.sh"],
          env: (root) => ({ PATH: `${root}/tools:/usr/local/bin:/usr/bin:/bin` }),
        });
        try {
          const out = await runIn(config, dir);
          assertEquals(out.code, 0, out.stdout + out.stderr);
          assertEquals(Deno.readTextFileSync(`${dir}/used.txt`), "pinned\n");
        } finally {
          await cleanup(dir);
        }
      },
    });
  }
}
