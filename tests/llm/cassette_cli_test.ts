// `lily run --cassettes MODE`: the flag is documented in --help, a bad mode is an error naming
// the flag (before anything runs), and the default is `none` under CI=true, else no cassette.
import { assert, assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { CASSETTE_MODES, cassetteModeOption } from "../../src/llm/cassette_mode.ts";
import { LilyError } from "../../src/errors.ts";

Deno.test("lily run --help documents --cassettes and its modes", async () => {
  const { code, stdout } = await lily(["run", "--help"]);
  assertEquals(code, 0);
  assertMatch(stdout, /--cassettes <mode>/);
  for (const mode of CASSETTE_MODES) assert(stdout.includes(mode), mode);
  assertMatch(stdout, /CI=true/);
});

Deno.test("lily run --cassettes with an unknown mode fails naming the flag, before running", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-cli-" });
  try {
    const { code, stderr } = await lily(["run", "flow.petal", "--cassettes", "replay"], {
      cwd: dir,
    });
    assertEquals(code, 2, stderr);
    assertMatch(stderr, /LILY-E0740/);
    assertMatch(stderr, /--cassettes replay/);
    assertMatch(stderr, /once, new_episodes, none, all/);
    const entries = [...Deno.readDirSync(dir)].map((e) => e.name);
    assertEquals(entries, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the cassette mode: the flag's, else none under CI=true, else no cassette", () => {
  for (const mode of CASSETTE_MODES) {
    assertEquals(cassetteModeOption(mode, undefined), mode);
    assertEquals(cassetteModeOption(mode, "true"), mode);
  }
  assertEquals(cassetteModeOption(undefined, "true"), "none");
  assertEquals(cassetteModeOption(undefined, "TRUE"), "none");
  assertEquals(cassetteModeOption(undefined, undefined), undefined);
  assertEquals(cassetteModeOption(undefined, "false"), undefined);
  const error = assertThrows(() => cassetteModeOption("ONCE", undefined));
  assert(error instanceof LilyError);
  assertEquals(error.code, "LILY-E0740");
  assertEquals(error.flag, "--cassettes ONCE");
});
