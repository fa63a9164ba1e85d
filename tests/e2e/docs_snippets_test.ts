// Every docs snippet that is a whole Petal file composes as printed: a reader pastes it into a
// file and runs `lily compose` (docs/*.md and README.md; a block is whole when it has a
// top-level `petal:` key).
import { assertEquals } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const root = new URL("../../", import.meta.url).pathname;

/** A fenced block starting at line `i`: its text and the index of its closing fence. */
function fenced(lines: string[], i: number): { text: string; end: number } | undefined {
  const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[i]);
  if (!open) return undefined;
  const [, indent, fence] = open;
  const body: string[] = [];
  let j = i + 1;
  for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) {
    body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
  }
  return { text: body.join("\n") + "\n", end: j };
}

/**
 * The fenced blocks of a Markdown text that are whole Petal files, with their line and the
 * project files the text gives right after them (a line "with `PATH`:" then a block).
 */
export function petalBlocks(
  markdown: string,
): { line: number; text: string; files: Record<string, string> }[] {
  const out: { line: number; text: string; files: Record<string, string> }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const block = fenced(lines, i);
    if (!block) continue;
    const { text, end } = block;
    // A workflow that extends another file is a whole file only beside that file: such
    // snippets show a part of a project (composition.md), not something to paste alone.
    if (/^petal:\s/m.test(text) && !/^extends:/m.test(text)) {
      const files: Record<string, string> = {};
      let k = end + 1;
      while (k < lines.length && lines[k].trim() === "") k++;
      const named = /^with `([\w./-]+)`:$/.exec(lines[k]?.trim() ?? "");
      if (named) {
        let f = k + 1;
        while (f < lines.length && lines[f].trim() === "") f++;
        const file = fenced(lines, f);
        if (file) files[named[1]] = file.text;
      }
      out.push({ line: i + 1, text, files });
    }
    i = end;
  }
  return out;
}

const files = [
  "README.md",
  ...[...Deno.readDirSync(`${root}docs`)].filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`).sort(),
];

for (const file of files) {
  const blocks = petalBlocks(Deno.readTextFileSync(`${root}${file}`));
  for (const block of blocks) {
    Deno.test(`${file}:${block.line}: the Petal snippet composes when pasted verbatim`, async () => {
      const dir = await tempProject({ ...block.files, "flow.petal": block.text });
      try {
        const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
        assertEquals(out.code, 0, `${file}:${block.line}\n${block.text}\n${out.stderr}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}

Deno.test("the extractor finds the README's and getting-started's workflows", () => {
  for (const file of ["README.md", "docs/getting-started.md"]) {
    const blocks = petalBlocks(Deno.readTextFileSync(`${root}${file}`));
    assertEquals(blocks.some((b) => /^name: hello$/m.test(b.text)), true, file);
  }
});

/** Every source file under `dir` (recursively). */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...sources(path));
    else if (e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

Deno.test("`@example` blocks assert with assertions that can fail (never console.assert)", () => {
  const offenders: string[] = [];
  for (const file of [...sources(`${root}src`), ...sources(`${root}adapters`), `${root}mod.ts`]) {
    const text = Deno.readTextFileSync(file);
    for (const block of text.matchAll(/@example[\s\S]*?```ts[\s\S]*?```/g)) {
      // console.assert only logs: an example that no longer holds would still pass.
      if (block[0].includes("console.assert(")) offenders.push(file.slice(root.length));
    }
  }
  assertEquals(offenders, [], "use assert/assertEquals from tests/_assert.ts");
});
