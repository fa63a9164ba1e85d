/**
 * Renders one template: a fast path for text whose only constructs are `{{ a.b }}` (and
 * `{{ a.b | shq }}`), the hardened nunjucks environment for everything else. Both apply the
 * same guards; a property test keeps them equal.
 * @module
 */
import type nunjucks from "nunjucks";
import type * as NunjucksEnv from "./nunjucks_env.ts";
import { didYouMean, type LilyError, type Span } from "../errors.ts";
import { type FilterState, shq, withFilterState } from "./filters.ts";
import {
  type ShellOutput,
  shellOutput,
  type ShellRecorder,
  shellRecorder,
  withShellRecorder,
} from "./shell_mode.ts";
import {
  type Effects,
  located,
  MAX_OUTPUT_LENGTH,
  MAX_TEMPLATE_LENGTH,
  nameReads,
  outputText,
  readRoots,
  Refusal,
  refusals,
  safeMember,
  SecretRef,
  undefinedName,
} from "./guards.ts";

/** What a template can see. */
export interface TemplateContext {
  params: Record<string, unknown>;
  secretParams: ReadonlySet<string>;
  vars: Record<string, unknown>;
  env: { allowed: readonly string[]; get(name: string): string | undefined };
  projectRoot: string;
  sourceDateEpoch?: number;
  seed: string;
  /** Names one template sees besides params and vars (a foreach sub-step's `item`, `index`). */
  locals?: Record<string, unknown>;
}

/** A rendered template and what it did. */
export interface Rendered {
  text: string;
  effects: Effects;
}

/** A template rendered for a field that reaches a shell (see shell_mode.ts). */
export interface ShellRendered extends Rendered {
  /** The outputs, in render order; `text` holds their placeholders. */
  outputs: ShellOutput[];
  /** The placeholders' nonce (see `sentinelPattern`). */
  nonce: string;
}

// Digits: filters such as `upper` leave a captured placeholder unchanged. Random per process:
// every text that reaches a render (sources, params, the host's variables) exists before the
// process draws it, so none can hold a placeholder; and one nonce lets the taint check compile
// its patterns once rather than for every script (a fifth of compose's time at 1000 steps).
const PLACEHOLDER_NONCE = String(crypto.getRandomValues(new Uint32Array(1))[0]).padStart(10, "0");

/**
 * Renders `text` for a shell: every `{{ … }}` output is a placeholder in the returned text,
 * and its value is in `outputs` (escape them with `escapeShellScript`). `| shell_code`
 * outputs are inserted as code and listed too.
 */
export function renderShellTemplate(
  text: string,
  ctx: TemplateContext,
  where: Span,
): ShellRendered {
  const recorder: ShellRecorder = {
    nonce: PLACEHOLDER_NONCE,
    outputs: [],
    at: { line: 1, col: 1 },
  };
  const rendered = withShellRecorder(recorder, () => renderTemplate(text, ctx, where));
  for (const output of recorder.outputs) {
    output.expr = expressionAt(text, output.line, output.col);
  }
  return { ...rendered, outputs: recorder.outputs, nonce: recorder.nonce };
}

/** True when `text` contains template syntax. */
export function hasTemplateSyntax(text: string): boolean {
  return /\{[{%#]/.test(text);
}

const REFUSED_TAG = /\{%[-+]?\s*(include|import|from|extends|block|macro|call)\b/;
const SIMPLE =
  /\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(\|\s*shq\s*)?-?\}\}/g;

/**
 * Renders `text` once against the context. Throws a LilyError located in the source file.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { renderTemplate } from "./render.ts";
 * const out = renderTemplate("size={{ params.n }}", {
 *   params: { n: 3 }, secretParams: new Set(), vars: {}, projectRoot: "/p", seed: "s",
 *   env: { allowed: [], get: () => undefined },
 * }, { file: "f.petal", line: 1, col: 1 });
 * assert(out.text === "size=3");
 * ```
 */
export function renderTemplate(source: string, ctx: TemplateContext, where: Span): Rendered {
  const text = shellLengthAsText(source);
  const effects: Effects = { now: false, randomUuid: false, machinePath: false, envRead: [] };
  if (text.length > MAX_TEMPLATE_LENGTH) {
    throw located(
      "LILY-E0414",
      `the template is ${text.length} characters, over ${MAX_TEMPLATE_LENGTH}`,
      where,
      1,
      1,
    );
  }
  const refused = REFUSED_TAG.exec(text);
  if (refused) {
    const [line, col] = position(text, refused.index);
    throw located(
      "LILY-E0402",
      `\`{% ${refused[1]} %}\` is not allowed: templates cannot load or define other templates`,
      where,
      line,
      col,
      "compose files with `extends:`/`overlays:`; compute values in `vars:`",
    );
  }
  const data = contextData(ctx);
  const state: FilterState = {
    projectRoot: ctx.projectRoot,
    sourceDateEpoch: ctx.sourceDateEpoch,
    seed: ctx.seed,
    envAllowed: ctx.env.allowed,
    getEnv: ctx.env.get,
    effects,
  };
  const known = knownNames(ctx);
  const reads = nameReads.into = new Set<string>();
  let out: string;
  if (isSimple(text)) {
    out = renderSimple(text, data, state, where, known);
  } else {
    out = renderNunjucks(text, data, state, where, known);
  }
  nameReads.into = undefined; // a render that threw leaves it set: the next render replaces it
  effects.reads = [...reads].sort();
  if (out.length > MAX_OUTPUT_LENGTH) {
    throw located(
      "LILY-E0408",
      `the template renders ${out.length} characters, over ${MAX_OUTPUT_LENGTH}`,
      where,
      1,
      1,
    );
  }
  return { text: out, effects };
}

function contextData(ctx: TemplateContext): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ctx.params)) params[name] = value;
  for (const name of ctx.secretParams) params[name] = new SecretRef(name);
  const vars = { ...ctx.vars };
  readRoots.set(params, "params");
  readRoots.set(vars, "vars");
  return { ...ctx.locals, params, vars };
}

function knownNames(ctx: TemplateContext): string[] {
  return [
    ...Object.keys(ctx.params).map((n) => `params.${n}`),
    ...[...ctx.secretParams].map((n) => `params.${n}`),
    ...Object.keys(ctx.vars).map((n) => `vars.${n}`),
    ...Object.keys(ctx.locals ?? {}),
  ];
}

function isSimple(text: string): boolean {
  if (/\{[%#]/.test(text)) return false;
  const rest = text.replace(SIMPLE, "");
  return !/\{\{|\}\}/.test(rest);
}

function position(text: string, index: number): [number, number] {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return [line, index - before.lastIndexOf("\n")];
}

function renderSimple(
  text: string,
  data: Record<string, unknown>,
  state: FilterState,
  where: Span,
  known: string[],
): string {
  return withFilterState(
    state,
    () =>
      text.replace(SIMPLE, (whole, path: string, quoted: string | undefined, offset: number) => {
        const [line, col] = position(text, offset + whole.indexOf(path));
        const recording = shellRecorder();
        if (recording) recording.at = { line, col: position(text, offset)[1] };
        try {
          const parts = path.split(".");
          let value: unknown = safeRoot(data, parts[0]);
          for (const part of parts.slice(1)) value = safeMember(value, part, path);
          if (value === undefined || value === null) {
            throw value === undefined ? undefinedName(path, known) : new Refusal(
              "LILY-E0403",
              `\`${path}\` is null`,
              'give it a value or use `| default("…")`',
            );
          }
          // As nunjucks would: the filter sees the value, then the output is checked.
          const out = quoted ? shq(value) : value;
          return shellOutput(out) ?? outputText(out);
        } catch (error) {
          if (error instanceof Refusal) {
            throw located(error.code, error.message, where, line, col, error.hint);
          }
          throw error;
        }
      }),
  );
}

function safeRoot(data: Record<string, unknown>, name: string): unknown {
  return safeMember(data, name, name);
}

const compiled = new Map<string, nunjucks.Template>();

function renderNunjucks(
  text: string,
  data: Record<string, unknown>,
  state: FilterState,
  where: Span,
  known: string[],
): string {
  // Imported here, not at the top: only templates beyond `{{ a.b }}` pay for nunjucks.
  const { hardenedEnvironment, budget, filterNames, compileTemplate } = nunjucksModule();
  const env = hardenedEnvironment();
  refusals.last = undefined;
  try {
    let template = compiled.get(text);
    if (!template) {
      template = compileTemplate(text, env);
      compiled.set(text, template);
    }
    budget.iterations = 0;
    return withFilterState(state, () => template!.render(data));
  } catch (error) {
    throw toLilyError(error, text, where, known, filterNames());
  }
}

function toLilyError(
  error: unknown,
  text: string,
  where: Span,
  known: string[],
  filters: string[],
): LilyError {
  const err = error as { lineno?: number; colno?: number; message?: string };
  // nunjucks puts positions in the message: "[Line 1, Column 22]" (0-based lines at render
  // time, 1-based when parsing); refusals name what they refused, which is found exactly.
  const at = /\[Line (\d+), Column (\d+)\]/.exec(String(err.message ?? ""));
  const rendering = refusals.last !== undefined;
  let line = at ? Number(at[1]) + (rendering ? 1 : 0) : err.lineno || 1;
  let col = at ? Number(at[2]) : err.colno || 1;
  const refusal = refusals.last;
  const needle = refusal?.needle;
  if (needle) {
    const index = text.indexOf(needle);
    if (index >= 0) [line, col] = position(text, index);
  }
  refusals.last = undefined;
  if (error instanceof RangeError || /Maximum call stack/.test(String(err.message))) {
    return located("LILY-E0408", "the template recurses too deeply", where, line, col);
  }
  if (refusal) {
    if (refusal.code === "LILY-E0403" && /null or undefined/.test(refusal.message)) {
      const expr = expressionAt(text, line, col);
      if (expr && /^[A-Za-z_][\w.]*$/.test(expr)) {
        const r = undefinedName(expr, known);
        return located(r.code, r.message, where, line, col, r.hint);
      }
    }
    return located(refusal.code, refusal.message, where, line, col, refusal.hint);
  }
  const message = String(err.message ?? error).split("\n").map((l) => l.trim()).filter((l) =>
    l && !/^\(unknown path\)/.test(l)
  ).join(" ").replace(/^Error: /, "");
  const filter = /filter not found: (\S+)/.exec(message)?.[1];
  if (filter) {
    const guess = didYouMean(filter, filters);
    return located(
      "LILY-E0407",
      `unknown filter \`${filter}\``,
      where,
      line,
      col,
      guess ? `did you mean \`${guess}\`?` : `filters: ${filters.join(", ")}`,
    );
  }
  return located(
    "LILY-E0401",
    `syntax error: ${message}`,
    where,
    line,
    col,
    "see docs/templates.md for the template syntax",
  );
}

/** The `{{ … }}` expression around a 1-based line/column of the template, if any. */
function expressionAt(text: string, line: number, col: number): string | undefined {
  const lines = text.split("\n");
  let index = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
  index = Math.min(Math.max(0, index), text.length);
  const open = text.lastIndexOf("{{", index + 2);
  if (open < 0) return undefined;
  const close = text.indexOf("}}", open);
  if (close < 0) return undefined;
  return text.slice(open + 2, close).replace(/^-|-$/g, "").trim();
}

let engine: typeof NunjucksEnv | undefined;

/**
 * Loads nunjucks (≈ 60 ms) when some of `texts` need more than the fast path. Await it before
 * rendering them; templates of the `{{ a.b }}` form never need it.
 */
export async function prepareTemplates(texts: Iterable<string>): Promise<void> {
  if (engine) return;
  for (const text of texts) {
    if (hasTemplateSyntax(text) && !isSimple(text)) {
      engine = await import("./nunjucks_env.ts");
      return;
    }
  }
}

function nunjucksModule(): typeof NunjucksEnv {
  if (!engine) {
    throw new Error("internal: `await prepareTemplates(...)` before rendering this template");
  }
  return engine;
}

/**
 * The shell's `${#x}` (the length of `x`) would open a template comment (`{#`): it is kept as
 * text. A template that already uses `{% raw %}` is left as written (raw blocks do not nest).
 * Columns of errors after a `${#` on the same line move by the inserted tags' width.
 */
function shellLengthAsText(text: string): string {
  if (!text.includes("${#") || text.includes("{% raw")) return text;
  return text.replaceAll("${#", "{% raw %}${#{% endraw %}");
}
