import { assertEquals } from "../_assert.ts";
import { composeSources } from "../../src/pipeline.ts";
import { type LilyError, userErrors } from "../../src/errors.ts";
import { programErrors } from "../../src/plan/check_programs.ts";
import { parseScript } from "../../src/shell/parser.ts";
import type { Step } from "../../src/schema/petal.ts";
import { tempProject } from "../_tools.ts";

const step = { id: "s", uses: "shell" } as Step;

function found(errors: LilyError[]): string[] {
  return errors.map((e) => `${e.code} ${e.message}`);
}

Deno.test("the program check finds the same problems in a tree parsed by rendering", () => {
  const script = 'curl "$1" && ./tools/x.sh | jq .\necho ok';
  const context = { path: ["steps", 0], withBlock: { run: script }, binaries: ["jq"], raw: {} };
  const parsedHere = programErrors(step, context);
  const handed = programErrors(step, { ...context, parsed: parseScript(script) });
  assertEquals(found(handed), found(parsedHere));
  assertEquals(found(parsedHere).map((f) => f.slice(0, 10)), [
    "LILY-E0617",
    "LILY-E0617",
    "LILY-E0635",
  ]);
});

Deno.test("a templated script that starts a program it may not start is refused at its place", async () => {
  const flow = `petal: "1"
name: t
params:
  url: {type: str, default: "http://x/$(id)"}
steps:
  - id: fetch
    uses: shell
    with:
      run: curl "{{ params.url }}" -o out
`;
  const dir = await tempProject({ "flow.petal": flow });
  try {
    const error = await composeSources(["flow.petal"], { cwd: dir }).then(
      () => undefined,
      (e) => e,
    );
    const errors = userErrors(error) ?? [];
    assertEquals(errors.map((e) => [e.code, e.span?.line, e.span?.col]), [["LILY-E0617", 9, 12]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
