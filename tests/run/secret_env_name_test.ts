/**
 * A secret of an included fragment is named `<include>.<param>` (`s3.token`); its variable must
 * be one a shell can `export`: the hint says `LILY_SECRET_S3_TOKEN` (not `LILY_SECRET_S3.TOKEN`),
 * and that is the variable Lily reads.
 */
import { assertEquals, assertMatch } from "../_assert.ts";
import { secretEnvName } from "../../src/schema/secret_env.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: up
steps:
  - id: s3
    uses: include
    with: {petal: frag.petal}
`;
const FRAG = `petal: "1"
name: frag
params:
  token: {type: secret, source: "env:S3_UPLOAD_TOKEN"}
steps:
  - id: put
    uses: shell
    inputs: {t: {from: params.token}}
    with: {run: 'test "$LILY_INPUT_T" = s3cr3t-value && echo token-ok'}
`;

Deno.test("secretEnvName gives a shell variable name", () => {
  assertEquals(secretEnvName("token"), "LILY_SECRET_TOKEN");
  assertEquals(secretEnvName("s3.token"), "LILY_SECRET_S3_TOKEN");
  assertEquals(secretEnvName("a-b.c"), "LILY_SECRET_A_B_C");
  for (const name of ["s3.token", "x-y", "ok_1"]) {
    assertMatch(secretEnvName(name), /^[A-Z_][A-Z0-9_]*$/);
  }
});

Deno.test("a fragment secret's hint names a variable the shell accepts, and Lily reads it", async () => {
  const dir = await tempProject({ "flow.petal": FLOW, "frag.petal": FRAG });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    const missing = await lily(["run", "flow.petal", "--isolation", "none"], { cwd: dir, env });
    assertEquals(missing.code, 2, missing.stderr);
    assertMatch(missing.stderr, /LILY-E0051\]: secret `s3\.token` is not set/);
    assertMatch(missing.stderr, /`export LILY_SECRET_S3_TOKEN=…`, or `export S3_UPLOAD_TOKEN=…`/);
    assertEquals(missing.stderr.includes("LILY_SECRET_S3.TOKEN"), false, missing.stderr);
    // What the hint says, done in a real shell, makes the run pass.
    const script = `export LILY_SECRET_S3_TOKEN=s3cr3t-value; exec "$0" "$@"`;
    const set = await new Deno.Command("sh", {
      args: [
        "-c",
        script,
        Deno.execPath(),
        "run",
        "-A",
        "--no-check",
        modPath(),
        "run",
        "flow.petal",
        "-v",
        "--isolation",
        "none",
      ],
      cwd: dir,
      env: { ...env, RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(set.stdout);
    assertEquals(set.code, 0, new TextDecoder().decode(set.stderr) + out);
    assertMatch(out, /token-ok/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function modPath(): string {
  return new URL("../../mod.ts", import.meta.url).pathname;
}
