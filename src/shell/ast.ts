/**
 * The syntax tree of Lily's shell: what the parser produces, what the static analysis walks at
 * compose time and what the interpreter runs. Every node keeps the offset of its first character
 * in the script, so an error can point at it.
 * @module
 */

/** A whole script, or the body of a compound command: items run one after the other. */
export interface List {
  kind: "list";
  items: AndOr[];
}

/** `a && b || c`: pipelines joined by `&&` and `||`, evaluated left to right. */
export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
}

/** `! a | b |& c`. `stderrToo[i]` is true when the link after command i is `|&`. */
export interface Pipeline {
  negated: boolean;
  commands: Command[];
  stderrToo: boolean[];
  pos: number;
}

/** Any command. */
export type Command = Simple | Subshell | Group | If | For | While | Case | FunctionDef;

/**
 * `NAME() compound-command`: defines a function (POSIX form). Running the definition stores it;
 * a later simple command named `NAME` runs `body` with its arguments as `$1`, `$2`, … Redirections
 * written after the body belong to the body (they apply at each call). `redirects` is always empty.
 */
export interface FunctionDef {
  kind: "function";
  name: string;
  body: Command;
  redirects: Redirect[];
  pos: number;
}

/** `NAME=value … word word … redirects`. */
export interface Simple {
  kind: "simple";
  assigns: Assign[];
  words: Word[];
  redirects: Redirect[];
  pos: number;
}

/** `( list )`: runs in a copy of the shell's state. */
export interface Subshell {
  kind: "subshell";
  body: List;
  redirects: Redirect[];
  pos: number;
}

/** `{ list; }`: runs in the current state. */
export interface Group {
  kind: "group";
  body: List;
  redirects: Redirect[];
  pos: number;
}

/** `if c; then b; elif c; then b; else b; fi`. */
export interface If {
  kind: "if";
  clauses: { cond: List; body: List }[];
  otherwise: List | null;
  redirects: Redirect[];
  pos: number;
}

/** `for NAME in words; do body; done`. */
export interface For {
  kind: "for";
  name: string;
  items: Word[];
  body: List;
  redirects: Redirect[];
  pos: number;
}

/** `while c; do b; done` and `until c; do b; done`. */
export interface While {
  kind: "while";
  until: boolean;
  cond: List;
  body: List;
  redirects: Redirect[];
  pos: number;
}

/**
 * `case WORD in PATTERN|PATTERN) list ;; … esac`. Each item's patterns are words matched as
 * shell patterns (quoted parts literally); the first item with a matching pattern runs, and
 * only that one (POSIX has no fall-through; bash's `;&` and `;;&` are refused).
 */
export interface Case {
  kind: "case";
  word: Word;
  items: { patterns: Word[]; body: List; pos: number }[];
  redirects: Redirect[];
  pos: number;
}

/** `NAME=word`. */
export interface Assign {
  name: string;
  value: Word;
  pos: number;
}

/**
 * A redirection. `fd` is the descriptor redirected (0, 1, 2, or `&` for both 1 and 2);
 * `dup` is set for `2>&1` / `>&2` (the target descriptor) instead of a file `target`.
 * A here-document (`op: "<<"`) has `heredoc` set and neither `target` nor `dup`.
 */
export interface Redirect {
  fd: 0 | 1 | 2 | "&";
  op: "<" | ">" | ">>" | "<<";
  target: Word | null;
  dup: 1 | 2 | null;
  heredoc?: Heredoc;
  /** `>|`: writes even under `set -C` (noclobber). */
  force?: boolean;
  pos: number;
}

/**
 * The body of a here-document, `<<EOF` or `<<-EOF`. The body is the lines after the command's
 * line, up to the line that is exactly the delimiter (after leading tabs, for `<<-`).
 *
 * - `delimiter`: the delimiter word after quote removal (`'EOF'` → `EOF`).
 * - `quoted`: some part of the delimiter was quoted: the body is literal text (no expansion,
 *   backslashes kept).
 * - `stripTabs`: `<<-`: leading tabs are removed from every body line and the delimiter line.
 * - `body`: the text as a word whose parts are all `quoted` (a body is never split or
 *   globbed). Quoted: one `lit` part holding the whole text. Unquoted: `lit` parts (after
 *   `\$`, `` \` ``, `\\` and `\<newline>` are resolved) and `param`/`cmdsub`/`arith` parts,
 *   with script offsets in their `pos`. Every line ends with a newline.
 * - `bodyStart`, `bodyEnd`: offsets in the script of the body's first character and of the
 *   start of the delimiter line (the raw source, before tab stripping, is
 *   `script.slice(bodyStart, bodyEnd)`). `delimiterPos`: offset of the delimiter word after
 *   `<<`.
 */
export interface Heredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
  body: Word;
  bodyStart: number;
  bodyEnd: number;
  delimiterPos: number;
}

/** A word: parts concatenated, then expanded (fields, globs) as a whole. */
export interface Word {
  parts: WordPart[];
  pos: number;
}

/** A piece of a word. `quoted` parts are neither split into fields nor globbed. */
export type WordPart =
  | { kind: "lit"; text: string; quoted: boolean }
  | { kind: "tilde" }
  | {
    kind: "param";
    name: string;
    /**
     * `${NAME:-word}` and friends; `#` is `${#NAME}` (length). `prefix`/`longPrefix` are
     * `${NAME#pattern}`/`${NAME##pattern}`, `suffix`/`longSuffix` are `${NAME%pattern}` and
     * `${NAME%%pattern}` (the pattern is `arg`).
     */
    op:
      | ":-"
      | "-"
      | ":+"
      | "+"
      | ":="
      | "="
      | ":?"
      | "?"
      | "#"
      | "prefix"
      | "longPrefix"
      | "suffix"
      | "longSuffix"
      | null;
    arg: Word | null;
    quoted: boolean;
    pos: number;
  }
  | { kind: "cmdsub"; body: List; quoted: boolean; pos: number }
  | { kind: "arith"; expr: Word; quoted: boolean; pos: number };

/** Whether a word is one literal string known before running (no expansion in it). */
export function literalWord(word: Word): string | undefined {
  let out = "";
  for (const part of word.parts) {
    if (part.kind !== "lit") return undefined;
    if (!part.quoted && /[*?]|\[.*\]/.test(part.text)) return undefined;
    out += part.text;
  }
  return out;
}
