import { ensureLocator } from "../../src/source/locate.ts";
await ensureLocator();
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { LilyError } from "../../src/errors.ts";
import { AppendList, LIMITS, parseSource } from "../../src/source/load.ts";
import { locate } from "../../src/source/locate.ts";
import { originAt } from "../../src/source/origin.ts";

Deno.test("a UTF-8 BOM and CRLF line ends are accepted", () => {
  const doc = parseSource("bom.yaml", "\uFEFFa: 1\r\nb:\r\n  - x\r\n");
  assertEquals(doc.data, { a: 1, b: ["x"] });
});

Deno.test("positions are exact with a BOM and CRLF", () => {
  const doc = parseSource("crlf.yaml", "\uFEFFa: 1\r\nb:\r\n  - x\r\n  - yy\r\n");
  const span = locate(originAt(doc.data, ["b", 1])!);
  assertEquals([span.line, span.col, span.length], [4, 5, 2]);
});

Deno.test("duplicate keys are an error at the second key", () => {
  const error = assertThrows(() => parseSource("d.yaml", "a: 1\nb: 2\na: 3\n")) as LilyError;
  assertEquals(error.code, "LILY-E0111");
  assertEquals(error.span?.line, 3);
});

Deno.test("alias expansion is capped (billion laughs)", () => {
  let text = 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]\n`;
  const started = performance.now();
  const error = assertThrows(() => parseSource("bomb.yaml", text)) as LilyError;
  assertEquals(error.code, "LILY-E0114");
  assert(performance.now() - started < 5000, "the cap stops the expansion early");
});

Deno.test("nesting deeper than the limit is an error, not a crash", () => {
  for (const depth of [LIMITS.maxDepth + 2, 10_000, 100_000]) {
    const error = assertThrows(() =>
      parseSource("deep.yaml", `x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`)
    );
    assert(error instanceof LilyError, `depth ${depth}: ${error}`);
    assertEquals(error.code, "LILY-E0113");
  }
});

Deno.test("!append and !replace are the only custom tags", () => {
  const doc = parseSource("t.yaml", "a: !append [1]\n");
  assert((doc.data as { a: unknown }).a instanceof AppendList);
  for (
    const tag of [
      "!!js/function 'x'",
      "!!python/object:os.system 'x'",
      "!include other.yaml",
      "!!binary aGk=",
    ]
  ) {
    const error = assertThrows(() => parseSource("t.yaml", `a: ${tag}\n`)) as LilyError;
    assert(error instanceof LilyError, tag);
    assertEquals(error.code, "LILY-E0112", `${tag}: ${error.message}`);
  }
});

Deno.test("__proto__ keys stay plain data (no prototype pollution)", () => {
  const doc = parseSource("p.yaml", "__proto__: {polluted: true}\na: {__proto__: {x: 1}}\n");
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
  assert(Object.keys(doc.data as object).includes("__proto__"));
});

Deno.test("YAML timestamps stay strings (core schema)", () => {
  assertEquals(parseSource("ts.yaml", "a: 2024-01-01\n").data, { a: "2024-01-01" });
});
