/**
 * Turns an {@linkcode Origin} (file + path) into a line and column, by parsing the file again
 * with the `yaml` package, which keeps positions. Only error paths pay for this: the package
 * (≈ 40 ms to import) is not loaded on the happy path, and spans resolve when first read.
 * Reading a span never fails for want of the parser: {@linkcode ensureLocator} loads it ahead
 * (entry points await it before they show errors), and a span read earlier (sorting errors,
 * a message that names a line) loads it synchronously on the spot.
 * @module
 */
import type * as Yaml from "yaml";
import { lazySpan, type Span } from "../errors.ts";
import { loadedText } from "./texts.ts";
import { type Origin, originAt } from "./origin.ts";

let yaml: typeof Yaml | undefined;

/** Loads the position-keeping parser ahead of the first span that is read (optional). */
export async function ensureLocator(): Promise<void> {
  yaml ??= await import("yaml");
}

interface NodeProcess {
  getBuiltinModule(id: string): unknown;
}

interface NodeModule {
  createRequire(from: string): (id: string) => unknown;
}

/**
 * The parser, loaded synchronously when no one awaited {@linkcode ensureLocator}: a position
 * may be read from anywhere (a sort, a message), and a read must never be an internal error.
 */
function locator(): typeof Yaml | undefined {
  if (yaml) return yaml;
  try {
    // Through `process.getBuiltinModule`, so the happy path never pays for node:module.
    const process = (globalThis as { process?: NodeProcess }).process;
    const { createRequire } = process!.getBuiltinModule("node:module") as NodeModule;
    yaml = createRequire(import.meta.url)("yaml") as typeof Yaml;
  } catch {
    // Without a module loader that can require (a bundled binary), the span stays provisional
    // (see resolveSpan) until ensureLocator() has run.
  }
  return yaml;
}

const parsed = new Map<
  string,
  { text: string; doc: Yaml.Document.Parsed; lines: Yaml.LineCounter }
>();

function documentOf(file: string, yaml: typeof Yaml) {
  let text = loadedText(file);
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync(file).replace(/^\uFEFF/, "");
    } catch {
      return undefined;
    }
  }
  let entry = parsed.get(file);
  if (!entry || entry.text !== text) {
    const lines = new yaml.LineCounter();
    const doc = yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: false });
    entry = { text, doc, lines };
    parsed.set(file, entry);
  }
  return entry;
}

/** Options for {@linkcode locate}. */
export interface LocateOptions {
  /** Point at the key of the last path segment rather than at its value. */
  key?: boolean;
  /**
   * Point at the first character of a scalar's content: after the quote of a quoted scalar,
   * at the first line of a `|`/`>` block (so template and expression columns add up).
   */
  content?: boolean;
}

function resolveSpan(origin: Origin, options: LocateOptions): Span | undefined {
  const yaml = locator();
  // No parser yet: undefined asks lazySpan for a provisional answer that is not kept.
  if (!yaml) return undefined;
  const fallback: Span = { file: origin.file, line: 1, col: 1 };
  const entry = documentOf(origin.file, yaml);
  if (!entry) return fallback;
  const { isMap, isScalar, isSeq } = yaml;
  let node: Yaml.Node | null | undefined = entry.doc.contents as Yaml.Node | null;
  let range: readonly number[] | undefined = node?.range ?? undefined;
  for (let i = 0; i < origin.path.length; i++) {
    const segment = origin.path[i];
    const last = i === origin.path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isScalar(p.key) ? String(p.key.value) === String(segment) : false
      );
      if (!pair) break;
      const keyNode = pair.key as Yaml.Node;
      if (last && options.key) {
        range = keyNode.range ?? undefined;
        break;
      }
      node = pair.value as Yaml.Node | null;
      range = node?.range ?? keyNode.range ?? undefined;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Yaml.Node | undefined;
      if (!item) break;
      node = item;
      range = item.range ?? undefined;
    } else {
      break;
    }
  }
  if (!range) return fallback;
  let from = range[0];
  if (options.content && !options.key) {
    const ch = entry.text[from];
    if (ch === '"' || ch === "'") from += 1;
    else if (ch === "|" || ch === ">") {
      const newline = entry.text.indexOf("\n", from);
      if (newline >= 0) {
        from = newline + 1;
        while (entry.text[from] === " ") from++;
      }
    }
  }
  const start = entry.lines.linePos(from);
  const end = entry.lines.linePos(range[1]);
  const length = end.line === start.line ? Math.max(1, end.col - start.col) : 1;
  return { file: origin.file, line: start.line, col: start.col, length };
}

/**
 * The span of the node at `origin.path` (or of its key). Where the path does not exist (a
 * missing field), it points at the nearest existing parent. Resolved when first read.
 */
export function locate(origin: Origin, options: LocateOptions = {}): Span {
  return lazySpan(() => resolveSpan(origin, options) ?? provisional(origin.file));
}

/** The span given while the parser cannot load: the file's start, marked as not final. */
function provisional(file: string): Span & { provisional: true } {
  return { file, line: 1, col: 1, provisional: true };
}

/** Like {@linkcode locate}, for the value at `path` inside loaded data `root`. */
export function lazyLocate(
  root: unknown,
  path: readonly (string | number)[],
  options: LocateOptions = {},
): Span {
  return lazySpan(() => {
    const origin = originAt(root, path);
    if (!origin) return { file: "<unknown>", line: 1, col: 1 };
    return resolveSpan(origin, options) ?? provisional(origin.file);
  });
}
