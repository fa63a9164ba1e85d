// The differential conformance corpus: every case in tests/shell/conformance/*.sh runs in dash,
// in bash --posix and in Lily's shell. Lily must print the same stdout and exit with the same
// status as dash or as bash (or, where the case says so, refuse the script at parse time with a
// position). Never a third answer.
import { assert } from "../_assert.ts";
import { differential, parseCorpus, verdict } from "./conformance/_differential.ts";

const dir = new URL("./conformance/", import.meta.url);
const files = [...Deno.readDirSync(dir)]
  .filter((e) => e.isFile && e.name.endsWith(".sh"))
  .map((e) => e.name)
  .sort();

Deno.test("conformance: the corpus has cases", () => {
  const count = files.reduce(
    (n, f) => n + parseCorpus(Deno.readTextFileSync(new URL(f, dir))).length,
    0,
  );
  assert(count >= 200, `only ${count} cases`);
});

for (const file of files) {
  Deno.test(`conformance: ${file} agrees with dash or bash --posix`, async () => {
    const cases = parseCorpus(Deno.readTextFileSync(new URL(file, dir)));
    const wrong: string[] = [];
    for (const c of cases) {
      const d = await differential(c.script, { errexit: c.errexit });
      const problem = verdict(d, c.want);
      if (problem) wrong.push(`${file}:${c.line} ${c.name}: ${problem}`);
    }
    assert(wrong.length === 0, `${wrong.length} of ${cases.length} cases:\n${wrong.join("\n")}`);
  });
}
