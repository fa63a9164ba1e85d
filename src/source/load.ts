/**
 * Reads a YAML source into plain data with origins, fast: js-yaml on the happy path, guarded
 * by limits (size, nesting, alias expansion). Positions are computed only when an error needs
 * them (see locate.ts). It never evaluates anything a document says.
 * @module
 */
import jsyaml from "js-yaml";
import { LilyError, LilyErrors, sortBySource } from "../errors.ts";
import { locate } from "./locate.ts";
import { ChildOrigin, type Origin, rootOrigin, setOrigin } from "./origin.ts";
import { rememberText } from "./texts.ts";

/** Limits that guard the loader against hostile input. */
export const LIMITS = {
  /** Largest source file accepted, in bytes. */
  maxFileBytes: 8 * 1024 * 1024,
  /** Deepest nesting of maps and lists. */
  maxDepth: 64,
  /** Most nodes a document may expand to, aliases expanded (stops "billion laughs"). */
  maxNodes: 500_000,
};

/** `!append` on a list: concatenate it onto the list it is merged over, instead of replacing it. */
export class AppendList {
  constructor(readonly items: unknown[]) {}
}

/** `!replace` on a map: replace the map it is merged over instead of deep-merging into it. */
export class ReplaceMap {
  constructor(readonly value: Record<string, unknown>) {}
}

const appendType = new jsyaml.Type("!append", {
  kind: "sequence",
  construct: (data: unknown[] | null) => new AppendList(data ?? []),
  instanceOf: AppendList,
});
const replaceType = new jsyaml.Type("!replace", {
  kind: "mapping",
  construct: (data: Record<string, unknown> | null) => new ReplaceMap(data ?? {}),
  instanceOf: ReplaceMap,
});
const schema = jsyaml.CORE_SCHEMA.extend([appendType, replaceType]);

/** A loaded source: its text (BOM removed), sha256 of the raw bytes, and the data. */
export interface SourceDoc {
  file: string;
  text: string;
  sha256: string;
  data: unknown;
}

/** The text of a file already loaded (for error excerpts), without reading it again. */
export { loadedText } from "./texts.ts";

/**
 * Reads and parses a YAML file. `file` is how errors name it (relative to the cwd); the file
 * is read from `options.path` when given.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseSource } from "./load.ts";
 * const doc = parseSource("inline.yaml", "a: [1, 2]\n");
 * assert(JSON.stringify(doc.data) === '{"a":[1,2]}');
 * ```
 */
export async function loadSource(
  file: string,
  options: { path?: string } = {},
): Promise<SourceDoc> {
  const path = options.path ?? file;
  let bytes: Uint8Array;
  try {
    const stat = await Deno.stat(path);
    if (stat.isDirectory) {
      throw new LilyError("LILY-E0102", `\`${file}\` is a directory, not a YAML file`, {
        hint: "pass the path of a .petal or .yaml file",
      });
    }
    if (stat.size > LIMITS.maxFileBytes) {
      throw new LilyError(
        "LILY-E0103",
        `\`${file}\` is ${stat.size} bytes, over the ${LIMITS.maxFileBytes}-byte limit for sources`,
        { span: { file, line: 1, col: 1 }, hint: "split the workflow with `extends:`/`overlays:`" },
      );
    }
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof LilyError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw new LilyError("LILY-E0101", `cannot read \`${file}\`: no such file`, {
        hint: "check the path; relative paths are resolved from the current directory",
      });
    }
    throw new LilyError("LILY-E0101", `cannot read \`${file}\`: ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LilyError("LILY-E0104", `\`${file}\` is not valid UTF-8`, {
      span: { file, line: 1, col: 1 },
      hint: "save the file as UTF-8",
    });
  }
  return { ...parseSource(file, text), sha256: await sourceDigest(text) };
}

/**
 * The digest of a source as the lock records it: of its text with a BOM removed and CRLF
 * line ends as LF, so a checkout with `core.autocrlf` gives the same lock on every OS.
 */
export async function sourceDigest(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  const normalized = text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
  return createHash("sha256").update(normalized).digest("hex");
}

/** Parses YAML text (see {@linkcode loadSource}); `sha256` is left empty. */
export function parseSource(file: string, rawText: string): SourceDoc {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  rememberText(file, text);
  let raw: unknown;
  try {
    raw = jsyaml.load(text, { filename: file, schema });
  } catch (error) {
    throw yamlError(file, text, error);
  }
  const budget: Budget = { nodes: 0, mergeKeys: [], nonFinite: [] };
  const data = copyWithOrigins(raw, rootOrigin(file), 0, budget, text);
  const refused = [...budget.mergeKeys.map(mergeKeyError), ...budget.nonFinite.map(nonFiniteError)];
  if (refused.length) throw new LilyErrors(sortBySource(refused));
  return { file, text, sha256: "", data };
}

function yamlError(file: string, text: string, error: unknown): LilyError {
  if (error instanceof RangeError) {
    // Stack exhausted: nesting far past any sane document.
    return nestingError(file, text);
  }
  if (error instanceof jsyaml.YAMLException) {
    const yamlError = error as {
      mark?: { line: number; column: number };
      reason?: string;
      message: string;
    };
    const mark = yamlError.mark;
    const reason = yamlError.reason ?? yamlError.message;
    const span = { file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1 };
    if (/duplicated mapping key/.test(reason)) {
      return new LilyError("LILY-E0111", "duplicate key in a map", {
        span,
        label: "this key is already defined above",
        hint: "remove one of the two entries (YAML maps cannot repeat a key)",
      });
    }
    if (/unknown tag/.test(reason)) {
      const tag = /<([^>]*)>/.exec(reason)?.[1] ?? "";
      return new LilyError("LILY-E0112", `unknown YAML tag \`${tag}\``, {
        span,
        hint: "Petal knows `!append` (on a list) and `!replace` (on a map)",
      });
    }
    if (/cannot resolve a node with !<!append>|!append|!replace/.test(reason)) {
      return new LilyError("LILY-E0112", reason, {
        span,
        hint: "`!append` goes on a list, `!replace` on a map",
      });
    }
    return new LilyError("LILY-E0110", `invalid YAML: ${reason}`, {
      span,
      hint: "check indentation, quotes and colons near this position",
    });
  }
  return new LilyError("LILY-E0110", `invalid YAML: ${(error as Error).message}`, {
    span: { file, line: 1, col: 1 },
  });
}

function nestingError(file: string, text: string): LilyError {
  // Find where bracket nesting first passes the limit, for the caret.
  let depth = 0, line = 1, col = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\n") {
      line++, col = 1;
      continue;
    }
    if (ch === "[" || ch === "{") depth++;
    if (ch === "]" || ch === "}") depth--;
    if (depth > LIMITS.maxDepth) break;
    col++;
  }
  return new LilyError("LILY-E0113", `nesting deeper than ${LIMITS.maxDepth} levels`, {
    span: { file, line, col },
    hint: "flatten the structure; Petal documents never need this depth",
  });
}

/** What one load counts: nodes (against alias bombs) and the merge keys it met. */
interface Budget {
  nodes: number;
  mergeKeys: Origin[];
  nonFinite: Origin[];
}

/**
 * Counts a scalar; notes `.inf`/`.nan`, which no lock (JSON) can hold. The scalar's origin is
 * made only for those (no closure per scalar: the 1000-step benchmark file has ≈ 8000 of them).
 */
function scalar(
  value: unknown,
  budget: Budget,
  parent: Origin,
  key: string | number,
): unknown {
  ++budget.nodes;
  if (typeof value === "number" && !Number.isFinite(value)) {
    budget.nonFinite.push(new ChildOrigin(parent.file, parent, key));
  }
  return value;
}

function nonFiniteError(origin: Origin): LilyError {
  return new LilyError("LILY-E0121", "`.inf` and `.nan` are not values a workflow can hold", {
    span: locate(origin),
    label: "not a finite number",
    hint: 'a lock stores values as JSON, which has no infinity or NaN; quote it for text (".inf")',
  });
}

/**
 * Petal is YAML 1.2, where `<<` is an ordinary key; YAML 1.1 tools merge maps with it. Read
 * either way, a file would mean two things, so a `<<` key is refused (never kept as data).
 */
function mergeKeyError(origin: Origin): LilyError {
  return new LilyError("LILY-E0120", "YAML merge keys (`<<`) are not supported in Petal", {
    span: locate(origin, { key: true }),
    label: "a YAML 1.1 merge key",
    hint: "Petal is YAML 1.2, which has no merge key: repeat the keys, use an alias for a " +
      "whole value (`with: *common`), or share steps with `extends:`/overlays (docs/petal.md#yaml)",
  });
}

function copyWithOrigins(
  value: unknown,
  origin: Origin,
  depth: number,
  budget: Budget,
  text: string,
): unknown {
  if (++budget.nodes > LIMITS.maxNodes) {
    throw new LilyError(
      "LILY-E0114",
      `document expands to more than ${LIMITS.maxNodes} nodes (an alias bomb?)`,
      {
        span: aliasSpan(origin.file, text),
        hint: "YAML aliases (`*name`) are expanded; avoid aliases that nest other aliases",
      },
    );
  }
  if (value === null || typeof value !== "object") return value;
  if (depth > LIMITS.maxDepth) throw nestingErrorAt(origin, text);
  if (value instanceof AppendList) {
    return new AppendList(copyWithOrigins(value.items, origin, depth, budget, text) as unknown[]);
  }
  if (value instanceof ReplaceMap) {
    const map = copyWithOrigins(value.value, origin, depth, budget, text);
    return new ReplaceMap(map as Record<string, unknown>);
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      out[i] = item !== null && typeof item === "object"
        ? copyWithOrigins(item, new ChildOrigin(origin.file, origin, i), depth + 1, budget, text)
        : scalar(item, budget, origin, i);
    }
    setOrigin(out, origin);
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === "<<") budget.mergeKeys.push(new ChildOrigin(origin.file, origin, key));
    const child = (value as Record<string, unknown>)[key];
    const copy = child !== null && typeof child === "object"
      ? copyWithOrigins(child, new ChildOrigin(origin.file, origin, key), depth + 1, budget, text)
      : scalar(child, budget, origin, key);
    if (key === "__proto__") {
      // Plain data, never the prototype.
      Object.defineProperty(out, key, {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = copy;
    }
  }
  setOrigin(out, origin);
  return out;
}

function nestingErrorAt(origin: Origin, text: string): LilyError {
  const error = nestingError(origin.file, text);
  return new LilyError(error.code, error.message, {
    span: error.span,
    hint: `${error.hint} (at \`${origin.path.slice(0, 6).join(".")}…\`)`,
  });
}

function aliasSpan(file: string, text: string) {
  const index = text.search(/\*[A-Za-z0-9_-]+/);
  if (index < 0) return { file, line: 1, col: 1 };
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const col = index - before.lastIndexOf("\n");
  return { file, line, col };
}
