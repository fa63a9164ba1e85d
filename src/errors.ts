/**
 * LilyError: a user error as a value (code, message, location, hint), rendered once at the
 * edge. Nothing here touches the file system; rendering gets source text from a callback.
 * @module
 */

/** A position in a source file, 1-based line and column. */
export interface Span {
  file: string;
  line: number;
  col: number;
  /** Characters to underline (at least 1). */
  length?: number;
}

/** Options for {@linkcode LilyError}. */
export interface LilyErrorOptions {
  span?: Span;
  /** Explains the caret (`no step has this id`). */
  label?: string;
  hint?: string;
  /** Extra located notes (for example the other side of a conflict). */
  notes?: { span?: Span; message: string }[];
  /** For errors that come from a CLI flag rather than a file. */
  flag?: string;
  cause?: unknown;
}

/**
 * An error the user can act on. `code` is stable (`LILY-E0203`) and listed in docs/errors.md.
 *
 * @example
 * ```ts
 * import { assert } from "../tests/_assert.ts";
 * import { LilyError } from "./errors.ts";
 * const err = new LilyError("LILY-E0203", "step `b` needs `a`, which is not defined", {
 *   span: { file: "flow.petal", line: 3, col: 12 },
 * });
 * assert(err.code === "LILY-E0203");
 * ```
 */
export class LilyError extends Error {
  readonly code: string;
  readonly span?: Span;
  readonly label?: string;
  readonly hint?: string;
  readonly notes: { span?: Span; message: string }[];
  readonly flag?: string;

  constructor(code: string, message: string, options: LilyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LilyError";
    this.code = code;
    this.span = options.span;
    this.label = options.label;
    this.hint = options.hint;
    this.notes = options.notes ?? [];
    this.flag = options.flag;
  }
}

/** True when `value` is a {@linkcode LilyError}. */
export function isLilyError(value: unknown): value is LilyError {
  return value instanceof LilyError;
}

/** Several errors found in one pass (all are shown, the first decides the exit code). */
export class LilyErrors extends Error {
  readonly errors: LilyError[];
  constructor(errors: LilyError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "LilyErrors";
    this.errors = errors;
  }
}

/** Flattens a thrown value into the list of user errors it carries, or undefined if it is a bug. */
export function userErrors(value: unknown): LilyError[] | undefined {
  if (value instanceof LilyErrors) return value.errors;
  if (value instanceof LilyError) return [value];
  return undefined;
}

/** Options for {@linkcode renderError}. */
export interface RenderOptions {
  /** Returns the text of a file for the excerpt, or undefined when it cannot be read. */
  readSource?: (file: string) => string | undefined;
  color?: boolean;
}

/**
 * Renders an error in the rustc/uv style:
 *
 * ```text
 * error[LILY-E0203]: step `encode` needs `decode`, which is not defined
 *   --> flows/video.petal:14:12
 *    |
 * 14 |     needs: [decode]
 *    |            ^^^^^^ no step has this id
 *    = hint: did you mean `transcode`?
 * ```
 */
export function renderError(error: LilyError, options: RenderOptions = {}): string {
  const c = palette(options.color ?? false);
  const out: string[] = [];
  out.push(`${c.red(`error[${error.code}]`)}: ${c.bold(error.message)}`);
  if (error.span) out.push(...excerpt(error.span, error.label, options, c));
  else if (error.flag) out.push(`  --> ${error.flag} (command line)`);
  for (const note of error.notes) {
    if (note.span) {
      out.push(`   = note: ${note.message}`);
      out.push(...excerpt(note.span, undefined, options, c));
    } else {
      out.push(`   = note: ${note.message}`);
    }
  }
  if (error.hint) out.push(`   = ${c.cyan("hint")}: ${error.hint}`);
  return out.join("\n");
}

function excerpt(
  span: Span,
  label: string | undefined,
  options: RenderOptions,
  c: Palette,
): string[] {
  const out = [`  --> ${span.file}:${span.line}:${span.col}`];
  const text = options.readSource?.(span.file);
  if (text === undefined) return out;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const line = lines[span.line - 1];
  if (line === undefined) return out;
  const gutter = String(span.line).length;
  const pad = " ".repeat(gutter);
  const shown = line.replace(/\t/g, " ");
  const width = Math.max(1, Math.min(span.length ?? 1, Math.max(1, shown.length - span.col + 1)));
  out.push(`${pad} |`);
  out.push(`${span.line} | ${shown}`);
  out.push(
    `${pad} | ${" ".repeat(Math.max(0, span.col - 1))}${c.red("^".repeat(width))}${
      label ? " " + c.red(label) : ""
    }`,
  );
  return out;
}

interface Palette {
  red(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

function palette(color: boolean): Palette {
  const wrap = (code: string) => (s: string) => color ? `\x1b[${code}m${s}\x1b[0m` : s;
  return { red: wrap("31;1"), bold: wrap("1"), cyan: wrap("36") };
}

/** Suggests the closest candidate to `word` (edit distance ≤ 1/3 of its length), if any. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = saved;
    }
  }
  return row[b.length];
}

/** Formats a list as "`a`, `b` and `c`". */
export function listNames(names: readonly string[], max = 8): string {
  const quoted = names.slice(0, max).map((n) => `\`${n}\``);
  if (names.length > max) quoted.push(`${names.length - max} more`);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/** A span whose fields are computed by `compute` when first read. */
export function lazySpan(compute: () => Span): Span {
  let span: Span | undefined;
  const get = (): Span => span ??= compute();
  return {
    get file() {
      return get().file;
    },
    get line() {
      return get().line;
    },
    get col() {
      return get().col;
    },
    get length() {
      return get().length;
    },
  };
}

/**
 * A span derived from `base` (which may itself resolve lazily), computed when first read:
 * errors built on the happy path's lazy positions stay lazy until they are shown.
 */
export function derivedSpan(base: Span, derive: (base: Span) => Span): Span {
  return lazySpan(() => derive(base));
}
