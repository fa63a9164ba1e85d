// Every error code the code can raise is documented (docs/errors.md or the pages it links).
import { assertEquals } from "../_assert.ts";

function codesIn(dir: URL, ext: RegExp): Set<string> {
  const out = new Set<string>();
  const walk = (url: URL) => {
    for (const e of Deno.readDirSync(url)) {
      const child = new URL(e.name + (e.isDirectory ? "/" : ""), url);
      if (e.isDirectory) walk(child);
      else if (ext.test(e.name)) {
        for (const m of Deno.readTextFileSync(child).matchAll(/LILY-E\d{4}/g)) {
          out.add(m[0]);
        }
      }
    }
  };
  walk(dir);
  return out;
}

Deno.test("every error code raised in src/ and adapters/ is documented in docs/", () => {
  const used = new Set([
    ...codesIn(new URL("../../src/", import.meta.url), /\.ts$/),
    ...codesIn(new URL("../../adapters/", import.meta.url), /\.ts$/),
  ]);
  const documented = codesIn(new URL("../../docs/", import.meta.url), /\.md$/);
  assertEquals([...used].filter((c) => !documented.has(c)).sort(), []);
});
