// Property tests: single quoting round-trips any text through the shell, quoted expansion keeps
// any value whole, arithmetic agrees with integer arithmetic, and no input makes the parser
// throw anything but a ShellSyntaxError.
import fc from "fast-check";
import { assert, assertEquals } from "../_assert.ts";
import { parseScript, ShellSyntaxError } from "../../src/shell/parser.ts";
import { sh, withTempDir } from "./_run.ts";

/** `s` as one single-quoted shell word: every `'` becomes `'\''`. */
function singleQuoted(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** Any text: ASCII, full Unicode code points (no lone surrogates: output is UTF-8). */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom("'", '"', "\\", "$", "`", "\n", " ", "%", "*", "a"),
    maxLength: 20,
  }),
);

Deno.test("property: printf '%s' of a single-quoted string prints exactly the string", async () => {
  await withTempDir(async (dir) => {
    await fc.assert(
      fc.asyncProperty(anyText, async (s) => {
        const result = await sh(`printf '%s' ${singleQuoted(s)}`, dir);
        assertEquals(result.exitCode, 0);
        assertEquals(result.stdout, s);
      }),
      { numRuns: 200 },
    );
  });
});

Deno.test("property: a double-quoted variable expands to exactly its value", async () => {
  await withTempDir(async (dir) => {
    await fc.assert(
      fc.asyncProperty(anyText, async (s) => {
        const result = await sh(`X=${singleQuoted(s)}; printf '%s' "$X"`, dir);
        assertEquals(result.stdout, s);
      }),
      { numRuns: 200 },
    );
  });
});

Deno.test("property: $((a + b * 3 - a / b)) equals integer arithmetic with truncating division", async () => {
  await withTempDir(async (dir) => {
    const small = fc.integer({ min: -10_000, max: 10_000 });
    await fc.assert(
      fc.asyncProperty(small, small.filter((b) => b !== 0), async (a, b) => {
        const expected = a + b * 3 - Math.trunc(a / b);
        // Once with the numbers written in, once through variables.
        const result = await sh(
          `echo $((${a} + ${b} * 3 - ${a} / ${b})); a=${a}; b=${b}; echo $((a + b * 3 - a / b))`,
          dir,
        );
        assertEquals(result.stdout, `${expected}\n${expected}\n`);
      }),
      { numRuns: 200 },
    );
  });
});

/** Parses, and fails the property on anything thrown but a ShellSyntaxError inside the text. */
function parsesOrRefuses(text: string): void {
  try {
    parseScript(text);
  } catch (error) {
    assert(error instanceof ShellSyntaxError, `${JSON.stringify(text)}: ${error}`);
    assert(
      Number.isInteger(error.pos) && error.pos >= 0 && error.pos <= text.length,
      `${JSON.stringify(text)}: position ${error.pos}`,
    );
  }
}

Deno.test("property: the parser throws only ShellSyntaxError on random text", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 })),
      parsesOrRefuses,
    ),
    { numRuns: 1000 },
  );
});

Deno.test("property: the parser throws only ShellSyntaxError on random shell-like text", () => {
  const token = fc.constantFrom(
    ..."$ ( ) { } ` ' \" \\ ; & | < > # ! ~ = * ? [ ] : - + \n".split(" "),
    " ",
    "$(",
    "$((",
    "${",
    "${X:-",
    "${#",
    "))",
    "&&",
    "||",
    "|&",
    ";;",
    "2>&1",
    ">&",
    "<<",
    "if ",
    "then ",
    "elif ",
    "else ",
    "fi",
    "for x in ",
    "while ",
    "until ",
    "do ",
    "done",
    "case ",
    "[[ ",
    "echo ",
    "x",
    "X=1",
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 60 }).map((ts) => ts.join("")), parsesOrRefuses),
    { numRuns: 2000 },
  );
});
