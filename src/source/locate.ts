/**
 * Turns an {@linkcode Origin} (file + path) into a line and column, by parsing the file again
 * with the `yaml` package, which keeps positions. Only error paths pay for this: the package
 * (≈ 60 ms to import) is loaded by {@linkcode ensureLocator}, which every entry point awaits
 * before it shows an error, and spans resolve when first read.
 * @module
 */
import type * as Yaml from "yaml";
import { lazySpan, type Span } from "../errors.ts";
import { loadedText } from "./load.ts";
import { type Origin, originAt } from "./origin.ts";

let yaml: typeof Yaml | undefined;

/** Loads the position-keeping parser. Await it before reading the fields of a span. */
export async function ensureLocator(): Promise<void> {
  yaml ??= await import("yaml");
}

const parsed = new Map<
  string,
  { text: string; doc: Yaml.Document.Parsed; lines: Yaml.LineCounter }
>();

function documentOf(file: string) {
  if (!yaml) {
    throw new Error("internal: a source position was read before `await ensureLocator()`");
  }
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

function resolveSpan(origin: Origin, options: LocateOptions): Span {
  const fallback: Span = { file: origin.file, line: 1, col: 1 };
  const entry = documentOf(origin.file);
  if (!entry || !yaml) return fallback;
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
  return lazySpan(() => resolveSpan(origin, options));
}

/** Like {@linkcode locate}, for the value at `path` inside loaded data `root`. */
export function lazyLocate(
  root: unknown,
  path: readonly (string | number)[],
  options: LocateOptions = {},
): Span {
  return lazySpan(() => {
    const origin = originAt(root, path);
    return origin ? resolveSpan(origin, options) : { file: "<unknown>", line: 1, col: 1 };
  });
}
