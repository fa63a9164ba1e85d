// The environment, in each configuration: a variable that makes an allowed program load code
// the step chose (`GCONV_PATH` for iconv, like `LD_PRELOAD`) is refused when the script sets
// it and when the step's `resources.env` passes it from the host.
import { assertEquals, assertMatch } from "../_assert.ts";
import { latestManifest } from "../run/_run.ts";
import { cleanup, CONFIGS, projectIn, runIn, skipConfig } from "./_configs.ts";

for (const config of CONFIGS) {
  Deno.test({
    name: `attack [${config.name}]: GCONV_PATH never reaches an allowed iconv`,
    ignore: skipConfig(config),
    async fn() {
      for (
        const [how, script, extra, env] of [
          ["set by the script", 'GCONV_PATH="$PWD/gconv" iconv -f UTF-8 -t UTF-16 in.txt', "", {}],
          ["exported", 'export GCONV_PATH="$PWD/gconv"; iconv -f UTF-8 -t UTF-16 in.txt', "", {}],
          ["from the host", "iconv -f UTF-8 -t UTF-16 in.txt", ", env: [GCONV_PATH]", {
            GCONV_PATH: "/tmp",
          }],
        ] as const
      ) {
        const flow = `petal: "1"
name: gconv
steps:
  - id: attack
    uses: shell
    resources: {binaries: [iconv]${extra}}
    with:
      run: ${JSON.stringify(script)}
`;
        const dir = await projectIn(config, {
          "flow.petal": flow,
          "in.txt": "x\n",
          "gconv/gconv-modules": "module UTF-8// EVIL// evil 1\n",
        });
        try {
          const out = await runIn(config, dir, [], { env });
          assertEquals(out.code, 1, `${how}: ${out.stdout}${out.stderr}`);
          const denied = latestManifest(dir).steps.attack.denied;
          assertEquals([denied?.code, denied?.target], ["LILY-E0823", "GCONV_PATH"], how);
          assertMatch(out.stdout + out.stderr, /LILY-E0823/);
        } finally {
          await cleanup(dir);
        }
      }
    },
  });
}
