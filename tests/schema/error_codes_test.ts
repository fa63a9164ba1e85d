// The error-code table (src/error_codes.ts), the code and the docs agree both ways: every code
// raised in src/ is in the table, every code in the table has a row in a docs table, and every
// code the docs name is in the table.
import { assert, assertEquals } from "../_assert.ts";
import { ERROR_CODES, isErrorCode } from "../../src/error_codes.ts";
import { LilyError } from "../../src/errors.ts";

/** Every `LILY-Exxxx` in the files under `dir` whose names match `ext` (not the table's own). */
function codesIn(dir: URL, ext: RegExp, pattern = /LILY-E\d{4}/g): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (url: URL) => {
    for (const e of Deno.readDirSync(url)) {
      const child = new URL(e.name + (e.isDirectory ? "/" : ""), url);
      if (e.isDirectory) walk(child);
      else if (ext.test(e.name) && !child.pathname.endsWith("/src/error_codes.ts")) {
        for (const m of Deno.readTextFileSync(child).matchAll(pattern)) {
          const code = m[1] ?? m[0];
          if (!out.has(code)) {
            out.set(code, child.pathname.replace(/.*\/(src|adapters|docs)\//, "$1/"));
          }
        }
      }
    }
  };
  walk(dir);
  return out;
}

const table = new Set(Object.keys(ERROR_CODES));
const src = new Map([
  ...codesIn(new URL("../../src/", import.meta.url), /\.ts$/),
  ...codesIn(new URL("../../adapters/", import.meta.url), /\.ts$/),
]);
const docsDir = new URL("../../docs/", import.meta.url);
/** Codes with a row in a docs table (`| LILY-E0201 | meaning |`). */
const documented = codesIn(docsDir, /\.md$/, /^\| *(LILY-E\d{4}) *\|/gm);
/** Codes named anywhere in the docs (examples, prose, tables). */
const mentioned = codesIn(docsDir, /\.md$/);

Deno.test("every error code used in src/ and adapters/ is in the table", () => {
  assertEquals([...src].filter(([c]) => !table.has(c)).map(([c, f]) => `${c} (${f})`), []);
});

Deno.test("every code in the table has a row in a docs table", () => {
  assertEquals([...table].filter((c) => !documented.has(c)), []);
});

Deno.test("every code the docs name is in the table", () => {
  assertEquals(
    [...mentioned].filter(([c]) => !table.has(c)).map(([c, f]) => `${c} (${f})`),
    [],
  );
});

Deno.test("every code in the table is raised somewhere in src/ (none is dead)", () => {
  assertEquals([...table].filter((c) => !src.has(c)), []);
});

Deno.test("each table entry has a summary and a well-formed code", () => {
  for (const [code, summary] of Object.entries(ERROR_CODES)) {
    assert(/^LILY-E\d{4}$/.test(code), code);
    assert(summary.trim().length > 0, `${code} has no summary`);
  }
  assert(isErrorCode("LILY-E0201"));
  assert(!isErrorCode("LILY-E9999"));
});

Deno.test("a code outside the table does not compile", () => {
  // deno check fails this file if a LilyError accepts an unknown code (the directive would
  // then be unused), so a typo'd code can never reach a user.
  // @ts-expect-error: not a code in src/error_codes.ts
  const error = new LilyError("LILY-E9999", "typo");
  assertEquals(error.code as string, "LILY-E9999");
});
