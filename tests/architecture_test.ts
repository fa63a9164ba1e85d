/**
 * The layout's promises, read from the import statements of `src/` and `adapters/`: no import
 * cycle between folders, and the front stages import only earlier stages (template ← compose ←
 * plan ← lock), with `src/pipeline.ts` the one module that imports them all.
 * @module
 */
import { assert, assertEquals } from "./_assert.ts";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Folder cycles that exist today and are being removed elsewhere; each says why it is here. */
const KNOWN_CYCLES: { nodes: string[]; why: string }[] = [
  {
    nodes: ["src/errors.ts", "src/source"],
    why: "errors.ts renders excerpts with source/snippet.ts; source/ raises LilyErrors",
  },
];

/** The front stages, earliest first: each may import only the stages before it. */
const FRONT_STAGES = ["src/template", "src/compose", "src/plan", "src/lock"];

/**
 * The relative specifiers a module imports: static `import`/`export … from` at the start of a
 * line, side-effect imports, and `import("…")` with a literal specifier. Comment lines (JSDoc
 * examples) are skipped.
 */
export function importsOf(text: string): string[] {
  const code = text.split("\n").filter((line) => !/^\s*(\*|\/\*|\/\/)/.test(line)).join("\n");
  const out: string[] = [];
  const patterns = [
    /^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) if (m[1].startsWith(".")) out.push(m[1]);
  }
  return out;
}

/** The node of the graph a file belongs to: its folder under `src/`, a root file, `adapters`. */
function nodeOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "adapters") return "adapters";
  if (parts[0] !== "src") return undefined;
  return parts.length === 2 ? path : `src/${parts[1]}`;
}

/** One edge between nodes, with the imports that make it. */
type Graph = Map<string, Map<string, string[]>>;

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

async function importGraph(): Promise<Graph> {
  const graph: Graph = new Map();
  for (const top of ["src", "adapters"]) {
    for await (const file of tsFiles(top)) {
      const from = nodeOf(file)!;
      const text = await Deno.readTextFile(join(ROOT, file));
      for (const specifier of importsOf(text)) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replaceAll(
          "\\",
          "/",
        );
        const to = nodeOf(target);
        if (!to || to === from) continue;
        const edges = graph.get(from) ?? new Map<string, string[]>();
        graph.set(from, edges);
        edges.set(to, [...(edges.get(to) ?? []), `${file} → ${target}`]);
      }
    }
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan), each sorted. */
export function cyclesOf(graph: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return out;
}

Deno.test("the import reader sees static, re-exported and dynamic imports, not comments", () => {
  const text = [
    "/**",
    ' * import { x } from "../lock/build.ts";',
    " */",
    'import { a } from "./a.ts";',
    "import type {",
    "  B,",
    '} from "../b/b.ts";',
    'export { c } from "../c.ts";',
    'import "./side.ts";',
    'import jsyaml from "js-yaml";',
    '// const d = await import("../commented.ts");',
    '  const e = await import("../e/e.ts");',
  ].join("\n");
  assertEquals(importsOf(text).sort(), [
    "../b/b.ts",
    "../c.ts",
    "../e/e.ts",
    "./a.ts",
    "./side.ts",
  ]);
});

Deno.test("the cycle finder finds a three-folder cycle and ignores a chain", () => {
  const graph = new Map([
    ["compose", ["plan"]],
    ["plan", ["lock"]],
    ["lock", ["compose", "schema"]],
    ["schema", []],
  ]);
  assertEquals(cyclesOf(graph), [["compose", "lock", "plan"]]);
  assertEquals(cyclesOf(new Map([["a", ["b"]], ["b", ["c"]]])), []);
});

Deno.test("no import cycle between the folders of src/ and adapters/", async () => {
  const graph = await importGraph();
  const known = new Set(KNOWN_CYCLES.map((c) => c.nodes.join(" ")));
  const adjacency = new Map([...graph].map(([from, edges]) => [from, [...edges.keys()]]));
  const found = cyclesOf(adjacency).filter((c) => !known.has(c.join(" ")));
  const explain = found.map((cycle) =>
    cycle.flatMap((from) =>
      [...graph.get(from) ?? []].filter(([to]) => cycle.includes(to)).flatMap(([, why]) => why)
    ).join("\n  ")
  );
  assertEquals(explain, [], `import cycles between folders:\n  ${explain.join("\n\n  ")}`);
});

Deno.test("front stages import only earlier stages, and only the CLI imports the pipeline", async () => {
  const graph = await importGraph();
  const wrong: string[] = [];
  for (const [i, stage] of FRONT_STAGES.entries()) {
    for (const later of FRONT_STAGES.slice(i + 1)) {
      wrong.push(...graph.get(stage)?.get(later) ?? []);
    }
  }
  for (const [from, edges] of graph) {
    if (from !== "src/cli") wrong.push(...edges.get("src/pipeline.ts") ?? []);
  }
  assertEquals(wrong, [], `imports against the stage order:\n${wrong.join("\n")}`);
  assert(graph.get("src/pipeline.ts")?.has("src/lock"), "the pipeline was not read");
});
