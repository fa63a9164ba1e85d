// Folders import earlier stages, never later ones: a cycle between top-level folders (of
// src/ and adapters/) that is already gone must not come back. The checker reports every
// cycle (scripts/import_cycles.ts prints them); this test asserts those that are broken.
import { assert, assertEquals } from "./_assert.ts";
import { folderCycles, folderEdges } from "../scripts/import_cycles.ts";

const base = new URL("..", import.meta.url).pathname;

/** Folder pairs that must never be in one cycle again. */
const BROKEN: [string, string][] = [
  ["adapters", "src/sandbox"],
];

Deno.test("the checker finds a cycle through three folders and none in a chain", () => {
  const edge = (from: string, to: string) => ({ from, to, example: "" });
  assertEquals(folderCycles([edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d")]), [
    ["a", "b", "c"],
  ]);
  assertEquals(folderCycles([edge("a", "b"), edge("b", "c")]), []);
});

Deno.test("the checker reads static, re-exported and dynamic imports of a real tree", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/src/a`, { recursive: true });
    await Deno.mkdir(`${dir}/src/b`, { recursive: true });
    await Deno.mkdir(`${dir}/adapters`, { recursive: true });
    await Deno.writeTextFile(`${dir}/src/a/x.ts`, 'import {\n  y,\n} from "../b/y.ts";\n');
    await Deno.writeTextFile(`${dir}/src/b/y.ts`, 'export { z } from "../../adapters/z.ts";\n');
    await Deno.writeTextFile(`${dir}/adapters/z.ts`, 'const m = await import("../src/a/x.ts");\n');
    const edges = await folderEdges(dir, ["src", "adapters"]);
    assertEquals(folderCycles(edges), [["adapters", "src/a", "src/b"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no cycle that was broken comes back between src/ and adapters/ folders", async () => {
  const cycles = folderCycles(await folderEdges(base, ["src", "adapters"]));
  for (const [a, b] of BROKEN) {
    const back = cycles.find((group) => group.includes(a) && group.includes(b));
    assert(!back, `folder cycle {${back?.join(", ")}} is back: run scripts/import_cycles.ts`);
  }
});
