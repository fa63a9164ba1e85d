/**
 * Folder-level import cycles: reads the static imports (and `import("…")` of a literal) of
 * every `.ts` file under the given roots, maps each file to its top-level folder
 * (`src/run/engine.ts` → `src/run`, `adapters/mod.ts` → `adapters`, `src/errors.ts` → `src`)
 * and reports the strongly connected groups of folders. A stage imports earlier stages,
 * never later ones (docs/architecture.md); a cycle between folders means two folders that
 * cannot be understood, tested or moved one without the other.
 *
 * Usage: deno run --allow-read scripts/import_cycles.ts [roots…=src adapters]
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";

/** One import edge between two folders, with a file that makes it (for the report). */
export interface FolderEdge {
  from: string;
  to: string;
  /** `file → imported file`, the first seen. */
  example: string;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The folder a file counts in: its first two path segments under `src/`, else its first. */
export function folderOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "src") return parts.length > 2 ? `src/${parts[1]}` : "src";
  return parts.length > 1 ? parts[0] : ".";
}

/**
 * The folder edges of the `.ts` files under `roots` (relative to `base`), from their
 * relative imports. Comments are not parsed: an import written in a comment's code
 * example counts only when it begins a line, as in a doc test, which imports for real too.
 */
export async function folderEdges(base: string, roots: string[]): Promise<FolderEdge[]> {
  const edges = new Map<string, FolderEdge>();
  for (const root of roots) {
    for await (const file of walk(join(base, root))) {
      const text = await Deno.readTextFile(file);
      const from = relative(base, file);
      for (const match of text.matchAll(IMPORT)) {
        const spec = match[1] ?? match[2];
        if (!spec.startsWith(".")) continue;
        const to = relative(base, resolve(dirname(file), spec));
        if (to.startsWith("..")) continue;
        const a = folderOf(from), b = folderOf(to);
        if (a === b || b === "src" || b === ".") continue;
        const key = `${a}\0${b}`;
        if (!edges.has(key)) edges.set(key, { from: a, to: b, example: `${from} → ${to}` });
      }
    }
  }
  return [...edges.values()];
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

/**
 * The cycles among folders: each strongly connected group of two or more folders, sorted,
 * the groups sorted by their first folder (Tarjan's algorithm).
 *
 * @example
 * ```ts
 * import { folderCycles } from "./import_cycles.ts";
 * const edges = [
 *   { from: "a", to: "b", example: "" },
 *   { from: "b", to: "a", example: "" },
 *   { from: "b", to: "c", example: "" },
 * ];
 * if (JSON.stringify(folderCycles(edges)) !== '[["a","b"]]') throw new Error("cycles");
 * ```
 */
export function folderCycles(edges: FolderEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => a[0].localeCompare(b[0]));
}

if (import.meta.main) {
  const base = resolve(new URL("..", import.meta.url).pathname);
  const roots = Deno.args.length ? Deno.args : ["src", "adapters"];
  const edges = await folderEdges(base, roots);
  const cycles = folderCycles(edges);
  if (!cycles.length) console.log("no folder cycles");
  for (const group of cycles) {
    console.log(`cycle: {${group.join(", ")}}`);
    for (const e of edges) {
      if (group.includes(e.from) && group.includes(e.to)) {
        console.log(`  ${e.from} → ${e.to}   (${e.example})`);
      }
    }
  }
  Deno.exit(cycles.length ? 1 : 0);
}
