/**
 * Turns an {@linkcode Origin} (file + path) into a line and column, by parsing the file again
 * with the `yaml` package, which keeps positions. Only error paths pay for this.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Span } from "../errors.ts";
import { loadedText } from "./load.ts";
import type { Origin } from "./origin.ts";

const parsed = new Map<
  string,
  { text: string; doc: ReturnType<typeof parseDocument>; lines: LineCounter }
>();

function documentOf(file: string) {
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
    const lines = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter: lines,
      uniqueKeys: false,
      keepSourceTokens: false,
    });
    entry = { text, doc, lines };
    parsed.set(file, entry);
  }
  return entry;
}

/** Options for {@linkcode locate}. */
export interface LocateOptions {
  /** Point at the key of the last path segment rather than at its value. */
  key?: boolean;
}

/**
 * The span of the node at `origin.path` (or of its key). Where the path does not exist (a
 * missing field), it points at the nearest existing parent.
 */
export function locate(origin: Origin, options: LocateOptions = {}): Span {
  const fallback: Span = { file: origin.file, line: 1, col: 1 };
  const entry = documentOf(origin.file);
  if (!entry) return fallback;
  let node: Node | null | undefined = entry.doc.contents as Node | null;
  let range: readonly number[] | undefined = node?.range ?? undefined;
  for (let i = 0; i < origin.path.length; i++) {
    const segment = origin.path[i];
    const last = i === origin.path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isScalar(p.key) ? String(p.key.value) === String(segment) : false
      );
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (last && options.key) {
        range = keyNode.range ?? undefined;
        break;
      }
      node = pair.value as Node | null;
      range = node?.range ?? keyNode.range ?? undefined;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      node = item;
      range = item.range ?? undefined;
    } else {
      break;
    }
  }
  if (!range) return fallback;
  const start = entry.lines.linePos(range[0]);
  const end = entry.lines.linePos(range[1]);
  const length = end.line === start.line ? Math.max(1, end.col - start.col) : 1;
  return { file: origin.file, line: start.line, col: start.col, length };
}
