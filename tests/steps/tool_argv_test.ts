// A tool's argv template: placeholders fill one element each (never split or quoted), `{{`/`}}`
// are braces, `{if: ARG}` groups come and go with their argument; and for any value — shell
// syntax included — the value arrives as exactly the text given.
import fc from "fast-check";
import { assert, assertEquals } from "../_assert.ts";
import { buildArgv, parseTemplate, type Template } from "../../src/steps/tool_argv.ts";

function t(text: string): Template {
  const parsed = parseTemplate(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.template;
}

Deno.test("tool argv: placeholders, braces and conditions", () => {
  const parts = [t("-i"), t("{in}"), t("scale={w}:-1"), t("{{literal}}"), {
    if: "crf",
    then: [t("-crf"), t("{crf}")],
  }, { if: "y", then: [t("-y")] }];
  assertEquals(buildArgv(parts, { in: "a b.mp4", w: 64, crf: 23, y: true }), [
    "-i",
    "a b.mp4",
    "scale=64:-1",
    "{literal}",
    "-crf",
    "23",
    "-y",
  ]);
  assertEquals(buildArgv(parts, { in: "x", w: 1, y: false }), [
    "-i",
    "x",
    "scale=1:-1",
    "{literal}",
  ]);
});

Deno.test("tool argv: malformed templates say where", () => {
  assertEquals(parseTemplate("a{b"), { error: "a `{` is not closed", offset: 1 });
  assertEquals(parseTemplate("a}b"), {
    error: "a `}` closes nothing (write `}}` for a brace)",
    offset: 1,
  });
  assert("error" in parseTemplate("{a b}"));
  assert("error" in parseTemplate("{}"));
});

Deno.test("tool argv: any value arrives as exactly its text, one element (property)", () => {
  const parts = [t("--opt={v}"), t("{v}")];
  fc.assert(
    fc.property(fc.string(), (value) => {
      const argv = buildArgv(parts, { v: value });
      return argv.length === 2 && argv[0] === `--opt=${value}` && argv[1] === value;
    }),
  );
});
