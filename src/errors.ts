/**
 * LilyError: a user error as a value (code, message, location, hint), rendered once at the
 * edge. Nothing here touches the file system; rendering gets source text from a callback.
 * @module
 */
import type { ErrorCode } from "./error_codes.ts";
import { snippetLine } from "./source/snippet.ts";

export type { ErrorCode } from "./error_codes.ts";

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
 * An error the user can act on. `code` is stable (`LILY-E0203`), listed in src/error_codes.ts
 * and documented in docs/errors.md (or the page it links).
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
  readonly code: ErrorCode;
  readonly span?: Span;
  readonly label?: string;
  readonly hint?: string;
  readonly notes: { span?: Span; message: string }[];
  readonly flag?: string;

  /** `code` is one of {@linkcode ErrorCode} (src/error_codes.ts): a typo does not compile. */
  constructor(code: ErrorCode, message: string, options: LilyErrorOptions = {}) {
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

/**
 * Flattens a thrown value into the list of user errors it carries, or undefined if it is a bug.
 * An operating-system error from the file system (a path that does not exist, no permission,
 * a full disk) is the user's environment, not a bug: it becomes LILY-E0010.
 */
export function userErrors(value: unknown): LilyError[] | undefined {
  if (value instanceof LilyErrors) return value.errors;
  if (value instanceof LilyError) return [value];
  if (isOsError(value)) return [osError(value)];
  return undefined;
}

function isOsError(value: unknown): value is Error {
  if (!(value instanceof Error)) return false;
  const errors = typeof Deno === "undefined" ? undefined : Deno.errors;
  const fileSystem = errors
    ? [
      errors.NotFound,
      errors.PermissionDenied,
      errors.AlreadyExists,
      errors.IsADirectory,
      errors.NotADirectory,
      errors.FilesystemLoop,
      errors.NotCapable,
      errors.WriteZero,
    ]
    : [];
  // Other file-system errnos Deno reports without a class: EIO, EBUSY, EXDEV, EMFILE,
  // ETXTBSY, EFBIG, ENOSPC, EROFS, ENAMETOOLONG, ENOTEMPTY, ELOOP, EDQUOT.
  return fileSystem.some((type) => value instanceof type) ||
    / \(os error (5|16|18|24|26|27|28|30|36|39|40|122)\)/.test(value.message);
}

/** `No such file or directory (os error 2): writefile '/x'` → what failed, on what, and why. */
function osError(error: Error): LilyError {
  const match = /^(.*?) \(os error \d+\)(?:: (.*))?$/s.exec(error.message);
  const reason = match?.[1] ?? error.message;
  const what = match?.[2];
  return new LilyError(
    "LILY-E0010",
    what ? `${what} failed: ${reason}` : `a file system operation failed: ${reason}`,
    {
      hint: "check that the path exists, is the kind of file expected, and that you may " +
        "read or write it (and that the disk is not full)",
      cause: error,
    },
  );
}

/**
 * The errors in source order: by file (in the order files first appear), then line and
 * column; errors without a position (a flag) come first, in their own order. Reads every
 * span, which is safe at any time (positions load on first read).
 */
export function sortBySource(errors: readonly LilyError[]): LilyError[] {
  const files = new Map<string, number>();
  const keyed = errors.map((error, index) => {
    const span = error.span;
    if (!span) return { error, key: [-1, 0, 0, index] };
    const file = span.file;
    if (!files.has(file)) files.set(file, files.size);
    return { error, key: [files.get(file)!, span.line, span.col, index] };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    }
    return 0;
  });
  return keyed.map((k) => k.error);
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
  out.push(`${c.red(`error[${error.code}]`)}: ${c.bold(visible(error.message))}`);
  if (error.span) out.push(...excerpt(error.span, error.label, options, c));
  else if (error.flag) out.push(`  --> ${visible(error.flag)} (command line)`);
  // `=` sits under the excerpt's `|` gutter, whose width is the line number's.
  const eq = " ".repeat(error.span ? String(error.span.line).length + 1 : 3);
  for (const note of error.notes) {
    out.push(`${eq}= note: ${visible(note.message)}`);
    if (note.span) out.push(...excerpt(note.span, undefined, options, c));
  }
  if (error.hint) out.push(`${eq}= ${c.cyan("hint")}: ${visible(error.hint)}`);
  return out.join("\n");
}

/**
 * Text from a source (a key, a value) quoted in a message, with control characters shown as
 * escapes: a hostile file must not drive the terminal through an error.
 */
function visible(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (ch) => `\\u{${ch.charCodeAt(0).toString(16)}}`,
  );
}

function excerpt(
  span: Span,
  label: string | undefined,
  options: RenderOptions,
  c: Palette,
): string[] {
  const out = [`  --> ${visible(span.file)}:${span.line}:${span.col}`];
  const text = options.readSource?.(span.file);
  if (text === undefined) return out;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const line = lines[span.line - 1];
  if (line === undefined) return out;
  const gutter = String(span.line).length;
  const pad = " ".repeat(gutter);
  const shown = snippetLine(line, span.col, span.length ?? 1);
  out.push(`${pad} |`);
  out.push(`${span.line} | ${shown.text}`);
  out.push(
    `${pad} | ${" ".repeat(shown.caretColumn)}${c.red("^".repeat(shown.caretWidth))}${
      label ? " " + c.red(visible(label)) : ""
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

/**
 * A span whose fields are computed by `compute` when first read. A result marked
 * `provisional` (its source cannot be located yet) is used for that read but not kept.
 */
export function lazySpan(compute: () => Span & { provisional?: boolean }): Span {
  let span: Span | undefined;
  const get = (): Span => {
    if (span) return span;
    const computed = compute();
    if (!computed.provisional) span = computed;
    return computed;
  };
  const lazy: Span = {
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
  // Not enumerable: a span spread or serialized shows only its position.
  Object.defineProperty(lazy, "provisional", {
    get() {
      get();
      return span === undefined;
    },
  });
  return lazy;
}

/**
 * A span derived from `base` (which may itself resolve lazily), computed when first read:
 * errors built on the happy path's lazy positions stay lazy until they are shown.
 */
export function derivedSpan(base: Span, derive: (base: Span) => Span): Span {
  return lazySpan(() => {
    const derived = derive(base);
    return (base as { provisional?: boolean }).provisional
      ? { ...derived, provisional: true }
      : derived;
  });
}
