// Every file in tests/fixtures/bad/ is malformed or hostile. Each must give exit status 2,
// the error code its header names (`# expect: LILY-E0111 at 4`), a file:line:col location
// (at that line when given), and never a stack trace or "internal error". A header line
// `# expect-all: LILY-E0201@6 LILY-E0204@9` names every error, in the order shown. No line of
// the output is long, whatever the source holds (a 20 KB line is shown as a window).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";

const dir = new URL("../fixtures/bad/", import.meta.url).pathname;
const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".petal"))
  .sort();

Deno.test("the hostile corpus has fixtures", () => {
  assert(files.length >= 30, `only ${files.length} fixtures`);
});

for (const name of files) {
  Deno.test(`compose rejects ${name} with its expected located error`, async () => {
    const header = Deno.readTextFileSync(dir + name).slice(0, 300);
    // `LILY-E04xx` in a header accepts any code of that family.
    const expected = /LILY-E\d\d(?:\d\d|xx)/.exec(header)?.[0];
    const line = /expect: LILY-E\d\d(?:\d\d|xx) at (\d+)/.exec(header)?.[1];
    assert(expected, "fixture header names no expected code");
    const { code, stderr, stdout } = await lily(["compose", name, "-o", "-"], { cwd: dir });
    assertEquals(code, 2, `exit status; stderr:\n${stderr}`);
    assertEquals(stdout, "", "nothing on stdout");
    const got = /LILY-E\d{4}/.exec(stderr)?.[0] ?? "";
    assertMatch(got, new RegExp(`^${expected.replace("xx", "\\d\\d")}$`), stderr);
    assertMatch(stderr, new RegExp(`--> ${name.replace(".", "\\.")}:\\d+:\\d+`));
    if (line) assertMatch(stderr, new RegExp(`--> ${name.replace(".", "\\.")}:${line}:\\d+`));
    assert(
      !/internal error|\n\s+at [\w.<]+ \(|file:\/\//.test(stderr),
      `stack trace in:\n${stderr}`,
    );
    const all = /^# expect-all: (.*)$/m.exec(header)?.[1];
    if (all) {
      const shown = [...stderr.matchAll(/^error\[(LILY-E\d{4})\]:.*\n {2}--> [^:]+:(\d+):/gm)]
        .map((m) => `${m[1]}@${m[2]}`);
      assertEquals(shown, all.trim().split(/\s+/), stderr);
      assertMatch(stderr, new RegExp(`\n${shown.length} errors\n?$`));
    }
    const longest = Math.max(...stderr.split("\n").map((l) => l.length));
    assert(longest <= 400, `a ${longest}-character line in the output`);
  });
}
