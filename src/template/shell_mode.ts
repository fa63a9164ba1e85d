/**
 * Rendering for a field that reaches a shell: each `{{ … }}` output becomes a placeholder
 * (a sentinel of private-use characters, literal text in every shell context), recorded with
 * its value, so that shell_context.ts can escape the value for the context the shell parser
 * finds it in. `| shell_code` is the one opt-out: its text is inserted as code, and recorded.
 * Nothing here knows shell syntax.
 * @module
 */
import { outputText, Refusal } from "./guards.ts";

/** One `{{ … }}` output of a shell field. */
export interface ShellOutput {
  /** Index in render order; the placeholder carries it. */
  id: number;
  /** The text the output stands for (for `shell_code`, the code inserted). */
  value: string;
  /** `| shell_code`: inserted as code, not escaped. */
  code: boolean;
  /** `| shq` was the last filter (the value is the text before quoting). */
  shq: boolean;
  /** 1-based position of the `{{` in the template text. */
  line: number;
  col: number;
  /** The expression inside the `{{ }}` (filled in after the render). */
  expr?: string;
}

/** The state of one shell-mode render. */
export interface ShellRecorder {
  /** Distinguishes this render's placeholders from any text a template could contain. */
  nonce: string;
  outputs: ShellOutput[];
  /** Position of the output being rendered (set by the renderer before each output). */
  at: { line: number; col: number };
}

/** First and last characters of a placeholder (Unicode private use: no shell gives them a meaning). */
export const SENTINEL_OPEN = "\uE000";
/** See {@linkcode SENTINEL_OPEN}. */
export const SENTINEL_CLOSE = "\uE001";

let recorder: ShellRecorder | undefined;

/** Runs `fn` with `next` recording outputs (renders are synchronous). */
export function withShellRecorder<T>(next: ShellRecorder | undefined, fn: () => T): T {
  const previous = recorder;
  recorder = next;
  try {
    return fn();
  } finally {
    recorder = previous;
  }
}

/** The recorder of the render in progress, if it is a shell-mode render. */
export function shellRecorder(): ShellRecorder | undefined {
  return recorder;
}

/** The placeholder of output `id`. */
export function sentinel(nonce: string, id: number): string {
  return `${SENTINEL_OPEN}${nonce}${id}${SENTINEL_CLOSE}`;
}

let lastPattern: { nonce: string; pattern: RegExp } | undefined;

/**
 * Matches the placeholders of a render (group 1: the id). The pattern of the last nonce is
 * reused (each render has its own nonce, and a script's check asks for it a dozen times); it
 * is global, so use it only with `matchAll` and `replace`, which do not keep its `lastIndex`.
 */
export function sentinelPattern(nonce: string): RegExp {
  if (lastPattern?.nonce !== nonce) {
    lastPattern = {
      nonce,
      pattern: new RegExp(`${SENTINEL_OPEN}${nonce}(\\d+)${SENTINEL_CLOSE}`, "g"),
    };
  }
  lastPattern.pattern.lastIndex = 0;
  return lastPattern.pattern;
}

// `shq` and `shell_code` return String objects so the output hook can recognise them by
// identity (never by equal text: a param could equal a piece of code).
const quoted = new WeakMap<object, string>();
const code = new WeakSet<object>();

/** Marks the result of `shq` (the quoted text) with the value it quoted. */
export function markQuoted(text: string, value: string): string {
  if (!recorder) return text;
  const mark = new String(text);
  quoted.set(mark, value);
  return mark as unknown as string;
}

/**
 * `shell_code`: the text is inserted into the shell script as code, unescaped. Only where the
 * author means it; the lock lists every use (`steps[].shell_code`) and `lily explain` shows it.
 */
export function shellCode(input: unknown): string {
  const text = outputText(input);
  if (!recorder) return text;
  const mark = new String(text);
  code.add(mark);
  return mark as unknown as string;
}

/**
 * The text an output contributes to the rendered script: in shell mode a placeholder (or, for
 * `shell_code`, the code itself); otherwise undefined (the caller renders as usual).
 */
export function shellOutput(value: unknown): string | undefined {
  const rec = recorder;
  if (!rec) return undefined;
  const id = rec.outputs.length;
  const at = { ...rec.at };
  if (value instanceof String && code.has(value)) {
    rec.outputs.push({ id, value: String(value), code: true, shq: false, ...at });
    return String(value);
  }
  const isQuoted = value instanceof String && quoted.has(value);
  const text = isQuoted ? quoted.get(value as object)! : outputText(value);
  rec.outputs.push({ id, value: resolveNested(rec, text), code: false, shq: isQuoted, ...at });
  return sentinel(rec.nonce, id);
}

/**
 * A value built from earlier outputs (`{% set x %}…{{ y }}…{% endset %}`) holds their
 * placeholders: as data, they stand for their text.
 */
function resolveNested(rec: ShellRecorder, text: string): string {
  if (!text.includes(SENTINEL_OPEN)) return text;
  const resolved = text.replace(sentinelPattern(rec.nonce), (_, id: string) => {
    const inner = rec.outputs[Number(id)];
    if (!inner) throw new Refusal("LILY-E0631", "a template output refers to an unknown output");
    return inner.value;
  });
  if (resolved.includes(SENTINEL_OPEN)) {
    throw new Refusal(
      "LILY-E0631",
      "text captured from template outputs was changed by a filter after it was rendered",
      "apply the filter to the value itself (`{{ params.v | upper }}`), not to captured text",
    );
  }
  return resolved;
}
