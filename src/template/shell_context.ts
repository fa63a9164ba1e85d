/**
 * Template values in a shell script: each value is escaped for the context the shell parser
 * finds its placeholder in (unquoted word, `"…"`, `'…'`, here-document body, `$(( ))`), then
 * the taint check parses the escaped script again and proves that it has the syntax tree of the
 * script with placeholders, each value one literal piece of text. Anything it cannot classify is
 * refused. This module reads the parser's tree; it never changes the parser.
 * @module
 */
import type { ErrorCode } from "../error_codes.ts";
import type { List } from "../shell/ast.ts";
import { parseScript, ShellSyntaxError } from "../shell/parser.ts";
import { shellQuote } from "./shell_quote.ts";
import { commandIndex, interpreterHint, INTERPRETERS } from "./interpreter_code.ts";
import { SENTINEL_CLOSE, SENTINEL_OPEN, sentinelPattern, type ShellOutput } from "./shell_mode.ts";

/** Where a placeholder sits in a script. */
export type ShellContext =
  | "unquoted"
  | "double"
  | "single"
  | "heredoc"
  | "heredoc-quoted"
  | "arith"
  | "comment";

/** Why a value cannot go into the script; the caller positions it at the output. */
export interface ShellProblem {
  code: ErrorCode;
  message: string;
  hint: string;
  output: ShellOutput;
}

/** The escaped script, or the problems that keep it from being built. */
export interface EscapedScript {
  script: string;
  problems: ShellProblem[];
  /** The context of each value output, by output id. */
  contexts: Map<number, ShellContext>;
  /**
   * The syntax tree of `script` when the taint check parsed it (values were substituted), so
   * that later checks of the same text need not parse it again.
   */
  tree?: List;
}

/** Shells whose quoting is POSIX `sh`'s: a script for them can be checked with Lily's parser. */
export const POSIX_SHELLS: ReadonlySet<string> = new Set([
  "lily",
  "sh",
  "dash",
  "bash",
  "zsh",
  "busybox",
  "ash",
  "ksh",
  "mksh",
  "yash",
  "posh",
]);

const ENV_HINT =
  'or pass the value as an environment variable: `env: {WHO: "{{ params.who }}"}`, then `"$WHO"` in the script';

/** Characters a POSIX shell (and zsh, bash) treats as plain text even unquoted. */
const NOT_INERT = /[^A-Za-z0-9_@%+=:,./-]/gu;
// deno-lint-ignore no-control-regex
const MARKERS = /[\u0001\u0002]/g;
const PROBE = "\uE002";

/**
 * Replaces the placeholders of `rendered` by their values, escaped for their context, and
 * checks the result (the taint check). `shell` is `lily` or a `with.shell` program.
 *
 * @example
 * ```ts
 * import { escapeShellScript } from "./shell_context.ts";
 * const output = { id: 0, value: "$(rm x)", code: false, shq: false, line: 1, col: 7 };
 * const out = escapeShellScript('echo "\uE000n0\uE001"', [output], { nonce: "n", shell: "lily" });
 * if (out.script !== 'echo "\\$(rm x)"') throw new Error(out.script);
 * ```
 */
export function escapeShellScript(
  rendered: string,
  outputs: readonly ShellOutput[],
  options: { nonce: string; shell: string },
): EscapedScript {
  const contexts = new Map<number, ShellContext>();
  const pattern = sentinelPattern(options.nonce);
  const present = new Set([...rendered.matchAll(pattern)].map((m) => Number(m[1])));
  const values = outputs.filter((o) => !o.code && present.has(o.id));
  const mangled =
    rendered.split(SENTINEL_OPEN).length - 1 !== [...rendered.matchAll(pattern)].length;
  if (mangled && outputs.length) {
    // A placeholder captured by `{% set %}` and then cut or changed by a filter.
    return {
      script: rendered,
      contexts,
      problems: [{
        code: "LILY-E0631",
        message:
          "text captured from template outputs was changed by a filter after it was rendered",
        hint:
          "apply the filter to the value itself (`{{ params.v | upper }}`), not to captured text",
        output: outputs.find((o) => o.code) ?? outputs[0],
      }],
    };
  }
  if (values.length === 0) return { script: rendered, problems: [], contexts };
  const fail = (problems: ShellProblem[]): EscapedScript => ({
    script: rendered,
    problems,
    contexts,
  });
  const base = options.shell.split(/[\\/]/).pop()!.replace(/\.exe$/i, "");
  const lily = base === "lily";
  if (!POSIX_SHELLS.has(base)) {
    return fail(values.map((output) => ({
      code: "LILY-E0633",
      message:
        `a template value in a script for \`${options.shell}\`: Lily escapes values only for POSIX shells (${
          [...POSIX_SHELLS].join(", ")
        })`,
      hint:
        `pass the value as an environment variable of the step instead (\`env: {NAME: "{{ … }}"}\`)`,
      output,
    })));
  }
  if (!lily) {
    // `$'…'`, `$"…"` and `$[…]` are bash's, and a value right after a `$` would become one of
    // them once quoted (`${% if x %}{{ v }}{% endif %}` → `$'v'`).
    const bashism = new RegExp(`\\$(['"[]|${SENTINEL_OPEN})`).exec(rendered);
    if (bashism) {
      return fail([{
        code: "LILY-E0633",
        message: bashism[1] === SENTINEL_OPEN
          ? `a template value right after a \`$\` would be read by \`${base}\` as \`$'…'\``
          : `the script uses \`${
            bashism[0]
          }\`, which \`${base}\` reads differently from POSIX sh, ` +
            "so Lily cannot prove where the template values land",
        hint: `remove the \`$\` there, ${ENV_HINT}`,
        output: values[0],
      }]);
    }
  }
  let tree;
  try {
    tree = parseScript(rendered);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    return fail([{
      code: "LILY-E0633",
      message:
        `Lily's parser cannot read the script (${
          error.message.replace(pattern, "{{ … }}")
        }), so it cannot tell ` +
        "where the template values land",
      hint: lily
        ? error.hint ?? "fix the script's syntax (docs/shell.md)"
        : `write the script in the POSIX sh that Lily's parser reads (docs/shell.md), ${ENV_HINT}`,
      output: values[0],
    }]);
  }
  const byId = new Map(values.map((o) => [o.id, o]));
  const problems: ShellProblem[] = [];
  const found = classify(rendered, tree, options.nonce);
  for (const output of values) {
    const where = found.get(output.id) ?? new Set<Found>(["comment"]);
    const refused = [...where].find((w) => typeof w === "object");
    if (refused && typeof refused === "object") {
      problems.push({ code: "LILY-E0631", ...refused, output });
      continue;
    }
    if (where.size > 1) {
      problems.push({
        code: "LILY-E0631",
        message: "the same template value lands in two different quoting contexts",
        hint: "render it once per place (`{{ … }}` where it is used)",
        output,
      });
      continue;
    }
    contexts.set(output.id, [...where][0] as ShellContext);
  }
  for (const { id, runner } of codeArguments(tree, pattern)) {
    const output = byId.get(id);
    if (!output || problems.some((p) => p.output === output)) continue;
    const interpreter = INTERPRETERS.get(runner);
    if (interpreter) {
      problems.push({
        code: "LILY-E0637",
        message: `the value lands in the code that \`${runner}\` runs (its program text)`,
        hint: interpreterHint(interpreter, output.expr),
        output,
      });
      continue;
    }
    problems.push({
      code: "LILY-E0636",
      message: `the value lands in text that \`${runner}\` runs as code`,
      hint: runner === "eval" || runner === "." || runner === "source" || runner === "trap"
        ? `use the value directly instead of through \`${runner}\`; ${ENV_HINT}`
        : `pass it as an argument of the script instead: \`${runner} -c '… "$1" …' ${runner} {{ … }}\``,
      output,
    });
  }
  if (problems.length) return fail(problems);
  const escaped = new Map<number, string>();
  for (const output of values) {
    const text = escapeFor(contexts.get(output.id)!, output, lily);
    if (typeof text === "string") escaped.set(output.id, text);
    else problems.push({ ...text, output });
  }
  if (problems.length) return fail(problems);
  let script = substitute(rendered, pattern, escaped);
  const check = { tree, nonce: options.nonce, outputs: byId, contexts, escaped };
  let checked = checkedTree(script, check);
  if (!checked) {
    // A value can join its neighbours (`$HOME{{ x }}`, `{{ n }}>f`): quote every bare one,
    // and in `"…"` close and reopen the quotes before the value (`"$HOME""x"`).
    for (const output of values) {
      const context = contexts.get(output.id);
      if (context === "unquoted") escaped.set(output.id, quoteAlways(output.value));
      if (context === "double") escaped.set(output.id, `""${escaped.get(output.id)}`);
    }
    script = substitute(rendered, pattern, escaped);
    checked = checkedTree(script, check);
    if (!checked) return fail([taintProblem(rendered, check)]);
  }
  return { script, problems: [], contexts, tree: checked };
}

/** The output whose value alone changes the script's structure (the first, else any). */
function taintProblem(rendered: string, check: TaintCheck): ShellProblem {
  const { nonce, outputs: byId, contexts, escaped } = check;
  let culprit = [...byId.values()][0];
  // One parse per output: bounded, so a template that loops thousands of times stays cheap.
  for (const output of [...byId.values()].slice(0, 64)) {
    const one = new Map([[output.id, escaped.get(output.id)!]]);
    const only = new Map([[output.id, output]]);
    const script = substitute(rendered, sentinelPattern(nonce), one);
    if (!checkedTree(script, { ...check, outputs: only, escaped: one })) {
      culprit = output;
      break;
    }
  }
  const context = contexts.get(culprit.id);
  return {
    code: "LILY-E0630",
    message: `the value ${preview(culprit.value)} would not be one literal piece of text in the ` +
      `script (${context ?? "unknown"} context): it would change the script's commands`,
    hint: context === "heredoc" || context === "heredoc-quoted"
      ? "in a here-document a value must not hold a line equal to the delimiter (choose " +
        "another one) nor join a `$NAME` before it (write `${NAME}`); " + ENV_HINT
      : `quote the place where the value lands, ${ENV_HINT}`,
    output: culprit,
  };
}

function preview(value: string): string {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

function substitute(text: string, pattern: RegExp, escaped: Map<number, string>): string {
  return text.replace(pattern, (whole, id: string) => escaped.get(Number(id)) ?? whole);
}

function quoteAlways(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The text that stands for `output` in `context`, or why there is none. */
function escapeFor(
  context: ShellContext,
  output: ShellOutput,
  lily: boolean,
): string | Omit<ShellProblem, "output"> {
  const value = output.value;
  switch (context) {
    case "unquoted":
      // Other shells get quotes always: zsh expands a leading `=`, bash braces.
      return lily ? shellQuote(value) : quoteAlways(value);
    case "double":
      return value.replace(/[$`"\\]/g, "\\$&");
    case "single":
      return value.replaceAll("'", `'\\''`);
    case "heredoc":
      return value.replace(/[$`\\]/g, "\\$&");
    case "heredoc-quoted":
      return value;
    case "arith":
      if (/^-?(0|[1-9][0-9]{0,17})$/.test(value)) {
        return value.startsWith("-") ? `(${value})` : value;
      }
      return {
        code: "LILY-E0632",
        message: `in \`$(( … ))\` a template value must be an integer, not ${preview(value)}`,
        hint:
          'declare the param `type: int`, or compute outside: `n="{{ … }}"; echo $((n + 1))` (the shell then reads it as a number or fails)',
      };
    case "comment":
      if (!/[\n\r]/.test(value)) return value;
      return {
        code: "LILY-E0631",
        message: `a template value with a line break inside a comment (${
          preview(value)
        }) would end the comment`,
        hint: "move the template out of the comment",
      };
  }
}

/** A context, or the reason a placeholder's place is refused. */
type Found = ShellContext | { message: string; hint: string };

type Where = "word" | "heredoc" | "arith" | "param-arg" | "backtick" | "unknown";

interface Hit {
  id: number;
  where: Where | "elsewhere";
  quoted: boolean;
  /** Backslashes found in the probe's placeholder (1: backslashes are read, 2: raw text). */
  backslashes: number;
}

let lastProbe: { nonce: string; pattern: RegExp } | undefined;

/** Matches the probe placeholders (group 2: the backslashes the parser left); reused per nonce. */
function probePatternOf(nonce: string): RegExp {
  if (lastProbe?.nonce !== nonce) {
    lastProbe = {
      nonce,
      pattern: new RegExp(`${SENTINEL_OPEN}${nonce}(\\d+)${PROBE}(\\\\*)${SENTINEL_CLOSE}`, "g"),
    };
  }
  return lastProbe.pattern;
}

/** The context of every placeholder found in the tree (by output id). */
function classify(text: string, tree: unknown, nonce: string): Map<number, Set<Found>> {
  const hits = collect(text, tree, sentinelPattern(nonce));
  // The probe: each placeholder with `\\` inside tells whether its context reads backslashes.
  const probeText = text.replace(
    sentinelPattern(nonce),
    (_, id: string) => `${SENTINEL_OPEN}${nonce}${id}${PROBE}\\\\${SENTINEL_CLOSE}`,
  );
  const probeHits = new Map<number, number>();
  try {
    const probePattern = probePatternOf(nonce);
    for (const hit of collect(probeText, parseScript(probeText), probePattern)) {
      probeHits.set(hit.id, hit.backslashes);
    }
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
  }
  const out = new Map<number, Set<Found>>();
  const add = (id: number, found: Found) => {
    const set = out.get(id) ?? new Set<Found>();
    set.add(found);
    out.set(id, set);
  };
  for (const hit of hits) add(hit.id, contextOf(hit, probeHits.get(hit.id)));
  return out;
}

function contextOf(hit: Hit, backslashes: number | undefined): Found {
  switch (hit.where) {
    case "word":
      if (!hit.quoted) return "unquoted";
      if (backslashes === 1) return "double";
      if (backslashes === 2) return "single";
      break;
    case "heredoc":
      if (backslashes === 1) return "heredoc";
      if (backslashes === 2) return "heredoc-quoted";
      break;
    case "arith":
      return "arith";
    case "param-arg":
      return {
        message: "a template value inside `${NAME…}` (a default, alternative or pattern) " +
          "cannot be escaped: shells disagree on its quoting",
        hint: `set a variable first: \`d="{{ … }}"\`, then \`\${NAME:-$d}\`; ${ENV_HINT}`,
      };
    case "backtick":
      return {
        message:
          "a template value inside backticks cannot be escaped (backticks re-read backslashes)",
        hint: "use `$( … )` instead of backticks",
      };
    default:
      break;
  }
  return {
    message: "a template value in a place of the script Lily cannot classify",
    hint: `put it in a word, a quoted string or a here-document body, ${ENV_HINT}`,
  };
}

function isWord(node: Record<string, unknown>): boolean {
  return Array.isArray(node.parts) && typeof node.pos === "number";
}

const REFUSING: ReadonlySet<Where> = new Set(["param-arg", "backtick", "unknown"]);

/** Every placeholder in the tree, with the syntax around it. */
function collect(text: string, tree: unknown, pattern: RegExp): Hit[] {
  const hits: Hit[] = [];
  const scan = (s: string, where: Hit["where"], quoted: boolean) => {
    if (!s.includes(SENTINEL_OPEN)) return;
    for (const m of s.matchAll(pattern)) {
      hits.push({ id: Number(m[1]), where, quoted, backslashes: (m[2] ?? "").length });
    }
  };
  const inner = (where: Where, next: Where): Where => REFUSING.has(where) ? where : next;
  const visit = (node: unknown, where: Where): void => {
    if (typeof node === "string") return scan(node, "elsewhere", false);
    if (Array.isArray(node)) return node.forEach((n) => visit(n, where));
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (isWord(record)) {
      for (const part of record.parts as Record<string, unknown>[]) visitPart(part, where);
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      if (key === "heredoc" && value && typeof value === "object") {
        const heredoc = value as Record<string, unknown>;
        for (const [k, v] of Object.entries(heredoc)) {
          visit(v, k === "body" ? inner(where, "heredoc") : where);
        }
      } else if (key !== "kind") visit(value, where);
    }
  };
  const visitPart = (part: Record<string, unknown>, where: Where): void => {
    switch (part.kind) {
      case "lit":
        return scan(String(part.text), where, part.quoted === true);
      case "tilde":
        return;
      case "param":
        scan(String(part.name), "elsewhere", false);
        if (part.arg) visit(part.arg, inner(where, "param-arg"));
        return;
      case "cmdsub": {
        const backtick = text[part.pos as number] === "`";
        return visit(part.body, inner(where, backtick ? "backtick" : "word"));
      }
      case "arith":
        return visit(part.expr, inner(where, "arith"));
      default:
        return visit({ ...part, kind: undefined }, "unknown");
    }
  };
  visit(tree, "word");
  return hits;
}

/** What the taint check compares a script with values against. */
interface TaintCheck {
  /** The tree of the script with placeholders. */
  tree: unknown;
  nonce: string;
  /** The value outputs checked, by id. */
  outputs: Map<number, ShellOutput>;
  contexts: Map<number, ShellContext>;
  /** The escaped text of each output, by id. */
  escaped: Map<number, string>;
}

/**
 * The taint check: `escapedScript` (the script with values) parses to the tree of the script
 * with placeholders where each placeholder is its value as literal text. Returns the parse of
 * `escapedScript` when it does, undefined when it does not.
 */
function checkedTree(escapedScript: string, check: TaintCheck): List | undefined {
  const { tree, nonce, outputs, contexts, escaped } = check;
  let after;
  try {
    after = parseScript(escapedScript);
  } catch (error) {
    if (error instanceof ShellSyntaxError) return undefined;
    throw error;
  }
  const pattern = sentinelPattern(nonce);
  // In `$(( ))` the text is the escaped number (`(-3)`); everywhere else, the value itself.
  const expected = (id: number): string | undefined => {
    const output = outputs.get(id);
    if (!output) return undefined;
    return contexts.get(id) === "arith" ? escaped.get(id) : output.value;
  };
  // Walking both trees side by side settles the usual case without building their forms.
  if (sameForm(tree, { pattern, expected }, after)) return after;
  const want = JSON.stringify(normalize(tree, { pattern, expected }));
  const got = JSON.stringify(normalize(after, undefined));
  return want === got ? after : undefined;
}

interface Substitution {
  pattern: RegExp;
  expected: (id: number) => string | undefined;
}

const POSITION_KEY = /^(pos|.*Pos|.*Start|.*End)$/;
const positionKeys = new Map<string, boolean>();

function isPosition(key: string, value: unknown): boolean {
  if (typeof value !== "number") return false;
  let known = positionKeys.get(key);
  if (known === undefined) positionKeys.set(key, known = POSITION_KEY.test(key));
  return known;
}

/** A position-free form of a tree, words as text with each character's quoting. */
function normalize(node: unknown, subst: Substitution | undefined): unknown {
  if (typeof node === "string") {
    return subst
      ? node.replace(subst.pattern, (w, id: string) => subst.expected(Number(id)) ?? w)
      : node;
  }
  if (Array.isArray(node)) return node.map((n) => normalize(n, subst));
  if (!node || typeof node !== "object") return node;
  const record = node as Record<string, unknown>;
  if (isWord(record)) return normalizeWord(record.parts as Record<string, unknown>[], subst);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (!isPosition(key, record[key])) out[key] = normalize(record[key], subst);
  }
  return out;
}

function normalizeWord(parts: Record<string, unknown>[], subst: Substitution | undefined): unknown {
  const { items, anyQuoted } = wordItems(parts, subst);
  return {
    parts: items.map((item) => typeof item === "string" ? item : normalize(item, subst)),
    emptyField: items.length === 0 ? anyQuoted : null,
  };
}

/** A word's pieces: its literal text (as {@linkcode normalizeWord} marks it) and other parts. */
function wordItems(
  parts: Record<string, unknown>[],
  subst: Substitution | undefined,
): { items: (string | Record<string, unknown>)[]; anyQuoted: boolean } {
  const items: (string | Record<string, unknown>)[] = [];
  let lit = "";
  let anyQuoted = false;
  // Each character as itself (quoted or inert) or marked `\u0001` (special unquoted); the
  // markers themselves escaped by `\u0002`. One replace per piece: this runs for every word
  // of every templated script at compose.
  const add = (chars: string, quoted: boolean) => {
    lit += quoted
      ? chars.replace(MARKERS, "\u0002$&")
      : chars.replace(NOT_INERT, (c) =>
        (c === "\u0001" || c === "\u0002" ? "\u0002" : "\u0001") + c);
  };
  for (const part of parts) {
    if (part.kind !== "lit") {
      if (lit) items.push(lit);
      lit = "";
      items.push(part);
      continue;
    }
    const text = String(part.text);
    const quoted = part.quoted === true;
    anyQuoted ||= quoted;
    if (!subst || !text.includes(SENTINEL_OPEN)) {
      add(text, quoted);
      continue;
    }
    let last = 0;
    for (const m of text.matchAll(subst.pattern)) {
      add(text.slice(last, m.index), quoted);
      const value = subst.expected(Number(m[1]));
      if (value === undefined) add(m[0], quoted);
      else {
        // A value is literal text: quoted, and a field even when empty.
        add(value, true);
        anyQuoted = true;
      }
      last = m.index! + m[0].length;
    }
    add(text.slice(last), quoted);
  }
  if (lit) items.push(lit);
  return { items, anyQuoted };
}

/**
 * True when the normal forms of `want` (with `subst`) and `got` (without) are certainly the
 * same JSON text, found by walking both trees side by side without building either form;
 * false when they differ or this walk cannot tell (then the texts are compared). Each `true`
 * is one where both forms serialize alike: equal strings, finite numbers, booleans and nulls;
 * lists of equal length, item by item; words with the same pieces; other nodes with the same
 * non-position keys (none undefined), value by value.
 */
function sameForm(want: unknown, subst: Substitution, got: unknown): boolean {
  if (typeof want === "string") {
    return typeof got === "string" &&
      want.replace(subst.pattern, (w, id: string) => subst.expected(Number(id)) ?? w) === got;
  }
  if (want === null || typeof want === "boolean") return want === got;
  if (typeof want === "number") return want === got && Number.isFinite(want);
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || want.length !== got.length) return false;
    for (let i = 0; i < want.length; i++) if (!sameForm(want[i], subst, got[i])) return false;
    return true;
  }
  if (typeof want !== "object" || typeof got !== "object" || !got || Array.isArray(got)) {
    return false;
  }
  const a = want as Record<string, unknown>;
  const b = got as Record<string, unknown>;
  const aWord = isWord(a);
  if (aWord || isWord(b)) {
    if (!aWord || !isWord(b)) return false;
    const x = wordItems(a.parts as Record<string, unknown>[], subst);
    const y = wordItems(b.parts as Record<string, unknown>[], undefined);
    if (x.items.length !== y.items.length) return false;
    if (x.items.length === 0) return x.anyQuoted === y.anyQuoted;
    for (let i = 0; i < x.items.length; i++) {
      const p = x.items[i];
      const q = y.items[i];
      if (typeof p === "string" ? p !== q : typeof q === "string" || !sameForm(p, subst, q)) {
        return false;
      }
    }
    return true;
  }
  const keys = formKeys(a);
  const others = formKeys(b);
  if (!keys || !others || keys.length !== others.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== others[i] || !sameForm(a[keys[i]], subst, b[keys[i]])) return false;
  }
  return true;
}

/**
 * The taint check's two comparisons of a tree with placeholders (`want`, placeholder `id`
 * read as `values.get(id)`) and a parsed script (`got`): the side-by-side walk, and the
 * comparison of serialized normal forms it stands in for. Exported for the test that holds
 * the walk's `true` to imply the texts' `true`.
 */
export function compareForms(
  want: unknown,
  got: unknown,
  nonce: string,
  values: ReadonlyMap<number, string>,
): { walk: boolean; texts: boolean } {
  const subst = { pattern: sentinelPattern(nonce), expected: (id: number) => values.get(id) };
  return {
    walk: sameForm(want, subst, got),
    texts: JSON.stringify(normalize(want, subst)) === JSON.stringify(normalize(got, undefined)),
  };
}

/** A node's keys as its normal form has them (sorted, no positions); undefined if any is undefined. */
function formKeys(record: Record<string, unknown>): string[] | undefined {
  const keys: string[] = [];
  for (const key of Object.keys(record)) {
    if (isPosition(key, record[key])) continue;
    if (record[key] === undefined) return undefined;
    keys.push(key);
  }
  return keys.sort();
}

/** The command a simple command runs (past `command`/`env`/…), and its index. */
function programOf(literals: (string | undefined)[]): { at: number; base: string } {
  const at = commandIndex(literals);
  return { at, base: literals[at]?.split("/").pop() ?? "" };
}

/** Commands that run an argument as shell code: a value there is code again, escaped or not. */
const EVALUATORS = new Set(["eval", ".", "source", "trap"]);
const SHELL_NAMES = /^(sh|dash|bash|zsh|ash|ksh|mksh|yash|posh|busybox)$/;

/**
 * Placeholders in the code argument of `eval`, `.`/`source`, `trap`, or a shell's `-c`
 * (`sh -c "… {{ v }} …"`): escaping makes them text for this script, which that command then
 * runs as a script of its own.
 */
function codeArguments(tree: unknown, pattern: RegExp): { id: number; runner: string }[] {
  const out: { id: number; runner: string }[] = [];
  const idsIn = (word: unknown) =>
    [...JSON.stringify(word).matchAll(pattern)].map((m) => Number(m[1]));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (record.kind === "lit") return; // literal text holds no command: the most common node
    if (record.kind === "simple" && Array.isArray(record.words) && record.words.length) {
      const words = record.words as { parts: { kind: string; text?: string }[] }[];
      const literal = (w: (typeof words)[number]) =>
        w.parts.every((p) => p.kind === "lit") ? w.parts.map((p) => p.text).join("") : undefined;
      const name = literal(words[0]);
      const base = name?.split("/").pop() ?? "";
      const program = EVALUATORS.has(base) ? undefined : programOf(words.map(literal));
      if (!program) {
        for (const w of words.slice(1)) for (const id of idsIn(w)) out.push({ id, runner: base });
      } else if (INTERPRETERS.has(program.base)) {
        const { at, base: runner } = program;
        for (const i of INTERPRETERS.get(runner)!.codeWords(words.slice(at).map(literal))) {
          const word = words[at + i];
          if (word) { for (const id of idsIn(word)) out.push({ id, runner }); }
        }
      } else if (SHELL_NAMES.test(base)) {
        const c = words.findIndex((w, i) =>
          i > 0 && /^-[A-Za-z]*c[A-Za-z]*$/.test(literal(w) ?? "")
        );
        if (c > 0 && words[c + 1]) {
          for (const id of idsIn(words[c + 1])) out.push({ id, runner: base });
        }
      }
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(tree);
  return out;
}
