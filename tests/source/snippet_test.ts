// The source line under an error: a window around the caret on long lines (rustc-style `…`),
// the caret aligned over the character it points at, whatever the line holds.
import fc from "fast-check";
import { assert, assertEquals } from "../_assert.ts";
import { displayWidth, SNIPPET_WIDTH, snippetLine } from "../../src/source/snippet.ts";
import { LilyError, renderError } from "../../src/errors.ts";

Deno.test("a short line prints whole, the caret under its column", () => {
  const s = snippetLine("    uses: shel", 11, 4);
  assertEquals(s, { text: "    uses: shel", caretColumn: 10, caretWidth: 4 });
});

Deno.test("a 20 KB line prints a window around the caret, cut with … on both sides", () => {
  const line = "a".repeat(10_000) + "needle" + "b".repeat(10_000);
  const s = snippetLine(line, 10_001, 6);
  assert(s.text.startsWith("…") && s.text.endsWith("…"), s.text);
  assert(displayWidth(s.text) <= SNIPPET_WIDTH, `${displayWidth(s.text)} columns`);
  assertEquals(s.text.slice(s.caretColumn, s.caretColumn + 6), "needle");
  assertEquals(s.caretWidth, 6);
});

Deno.test("a caret near the start or the end of a long line cuts one side only", () => {
  const line = "x".repeat(5_000);
  const head = snippetLine(line, 3);
  assert(!head.text.startsWith("…") && head.text.endsWith("…"), head.text);
  assertEquals(head.caretColumn, 2);
  const tail = snippetLine(line, 5_000);
  assert(tail.text.startsWith("…") && !tail.text.endsWith("…"), tail.text);
  assertEquals(tail.caretColumn, displayWidth(tail.text) - 1);
  const past = snippetLine(line, 5_001);
  assertEquals(past.caretColumn, displayWidth(past.text));
});

Deno.test("tabs, wide characters and combining marks keep the caret aligned", () => {
  assertEquals(snippetLine("\tkey: v", 2).caretColumn, 4);
  // 名前 is two wide characters (4 columns), then `: `.
  assertEquals(snippetLine("名前: bad", 5, 3), {
    text: "名前: bad",
    caretColumn: 6,
    caretWidth: 3,
  });
  // e + combining acute is one column; the emoji (a surrogate pair) is two.
  const line = "e\u0301 🌸 x";
  assertEquals(snippetLine(line, line.indexOf("x") + 1).caretColumn, 5);
});

Deno.test("control characters and bidi overrides are shown as �, never sent to the terminal", () => {
  const s = snippetLine("a: \x1b[2Jb\u202ec", 10);
  assertEquals(s.text, "a: \uFFFD[2Jb\uFFFDc");
  assertEquals(s.caretColumn, 9);
  const error = new LilyError("LILY-E0201", "unknown field `\x1b]0;pwned\x07`", {
    span: { file: "f.petal", line: 1, col: 1 },
    label: "x\x1by",
  });
  const text = renderError(error, { readSource: () => "\x1b]0;pwned\x07: 1\n" });
  // deno-lint-ignore no-control-regex
  assert(!/[\x00-\x08\x0b-\x1f\x7f]/.test(text), JSON.stringify(text));
});

Deno.test("renderError prints a bounded excerpt for a 20 KB line", () => {
  const line = `  - {id: a, uses: shell, with: {run: "${"x".repeat(20_000)}"}, nme: 1}`;
  const col = line.indexOf("nme") + 1;
  const error = new LilyError("LILY-E0201", "unknown field `nme`", {
    span: { file: "f.petal", line: 1, col, length: 3 },
    label: "not a field here",
  });
  const text = renderError(error, { readSource: () => line + "\n" });
  const lines = text.split("\n");
  assert(lines.every((l) => l.length < 200), text);
  const source = lines.find((l) => l.startsWith("1 | "))!.slice(4);
  const caret = lines.find((l) => l.includes("^"))!.slice(4);
  assertEquals(source.slice(caret.indexOf("^"), caret.indexOf("^") + 3), "nme");
});

const pieces = fc.constantFrom("a", "b", " ", "\t", "名", "🌸", "e\u0301", "\x1b", "é", "·");

Deno.test("property: the window fits, and the caret sits over the character it names", () => {
  fc.assert(
    fc.property(
      fc.array(pieces, { minLength: 1, maxLength: 400 }),
      fc.nat(),
      fc.integer({ min: 1, max: 30 }),
      (drawn, at, length) => {
        const parts: string[] = [...drawn];
        // A unique character marks where the caret must land.
        const index = at % parts.length;
        parts[index] = "Z";
        const line = parts.join("");
        const col = parts.slice(0, index).join("").length + 1;
        const s = snippetLine(line, col, length);
        assert(displayWidth(s.text) <= SNIPPET_WIDTH, `${displayWidth(s.text)} columns`);
        assert(s.caretWidth >= 1);
        const cells = [...s.text];
        let width = 0, i = 0;
        while (i < cells.length && width < s.caretColumn) width += displayWidth(cells[i++]);
        while (i < cells.length && displayWidth(cells[i]) === 0) i++;
        assertEquals(width, s.caretColumn);
        assertEquals(cells[i], "Z", JSON.stringify({ line, col, s }));
      },
    ),
    { numRuns: 500 },
  );
});
