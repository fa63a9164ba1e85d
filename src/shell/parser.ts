/**
 * The parser of Lily's shell: a script's text to a syntax tree (ast.ts). The language is the
 * portable core of POSIX sh — lists, `&&`/`||`, pipelines, redirections, quoting, parameter,
 * command and arithmetic substitution, `if`/`case`/`for`/`while`/`until`, subshells, groups,
 * here-documents and functions (`name() compound`) — and refuses, with a position and a hint,
 * what it does not run (background jobs, bash's `function name` and `[[`). Parsing never runs
 * anything.
 * @module
 */
import type {
  AndOr,
  Assign,
  Case,
  Command,
  FunctionDef,
  Heredoc,
  List,
  Pipeline,
  Redirect,
  Simple,
  Word,
  WordPart,
} from "./ast.ts";
import { literalWord } from "./ast.ts";

/**
 * A syntax error at `pos` (an offset into the script). `code` is set when the error has a code
 * of its own (a limit: {@linkcode NESTING_CODE}); otherwise compose reports it as unsupported
 * syntax (LILY-E0618).
 */
export class ShellSyntaxError extends Error {
  readonly pos: number;
  readonly hint?: string;
  readonly code?: string;
  constructor(message: string, pos: number, hint?: string, code?: string) {
    super(message);
    this.name = "ShellSyntaxError";
    this.pos = pos;
    this.hint = hint;
    this.code = code;
  }
}

/** The code of a script nested deeper than the parser's limits (`$(( ((…)) ))`, `$( $( … ) )`). */
export const NESTING_CODE = "LILY-E0650";

/** 1-based line and column of an offset in `text`. */
export function lineCol(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  }
  return { line, col: pos - start + 1 };
}

const MAX_DEPTH = 64;
/** Parentheses nested inside one `$(( … ))`. */
const MAX_ARITH_DEPTH = 128;
const MAX_LENGTH = 1 << 20;
const NESTING_HINT = "split the expression or the script into smaller pieces";

/** Words that end a list in some compound command. */
const TERMINATORS = new Set(["then", "elif", "else", "fi", "do", "done", "}", "esac"]);
/** Reserved words that cannot name a function. */
const RESERVED = new Set(["if", "for", "while", "until", "case", "in", "function", "select", "!"]);
/** What ends the body of a `case` item. */
const CASE_END = new Set([";;", "esac"]);
/** Unsupported syntax a script may try, and what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  function: "`function NAME` is bash: write `NAME() { …; }` (POSIX)",
  select: "`select` is not part of Lily's shell",
  "[[": "`[[ … ]]` is bash: use `[ … ]` (the `test` built-in), or `shell: bash`",
  "((": "`(( … ))` is bash: use `[ $((…)) -ne 0 ]`, or `shell: bash`",
};

/**
 * Parses a script.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseScript } from "./parser.ts";
 * const list = parseScript("echo hi | tr a-z A-Z > out.txt");
 * assert(list.items[0].first.commands.length === 2);
 * ```
 */
export function parseScript(text: string): List {
  if (text.length > MAX_LENGTH) {
    throw new ShellSyntaxError(`the script is longer than ${MAX_LENGTH} characters`, 0);
  }
  const parser = new Parser(text);
  const list = parser.list(null);
  parser.skipSpace(true);
  if (!parser.atEnd()) {
    const pos = parser.pos;
    throw new ShellSyntaxError(`unexpected \`${text[pos]}\``, pos);
  }
  parser.noPendingHeredoc();
  return list;
}

/** Adds `offset` to every position in a tree (a backtick body parsed on its own). */
function shiftPositions(node: unknown, offset: number, seen = new Set<unknown>()): void {
  if (node === null || typeof node !== "object" || seen.has(node)) return;
  seen.add(node);
  const record = node as Record<string, unknown>;
  if (typeof record.pos === "number") record.pos += offset;
  for (const value of Object.values(record)) {
    if (Array.isArray(value)) { for (const item of value) shiftPositions(item, offset, seen); }
    else if (value && typeof value === "object") shiftPositions(value, offset, seen);
  }
}

/** A here-document whose body starts after the current line. */
interface PendingHeredoc {
  heredoc: Heredoc;
  pos: number;
}

// Character classes the parser tests at every word and character, as constants: a regular
// expression literal is a new object each time it is evaluated (none of these is global, so
// sharing one keeps no state between tests).
/** An unquoted character that ends a word. */
const WORD_END = /[\s;&|()<>]/;
/** What may follow a `~` that expands (in a word; in an assignment's value). */
const TILDE_END = /[\s/;&|()<>]/;
const TILDE_END_IN_ASSIGNMENT = /[\s/:;&|()<>]/;
/** An operator or newline where a word is required. */
const OPERATOR_OR_NEWLINE = /[;&|()<>\n]/;

class Parser {
  pos = 0;
  depth = 0;
  private pending: PendingHeredoc[] = [];
  constructor(readonly text: string) {}

  /** Fails when a here-document's body never came (the script ended on its line). */
  noPendingHeredoc(): void {
    const first = this.pending[0];
    if (first) {
      this.fail(
        `the here-document \`${first.heredoc.delimiter}\` has no body`,
        first.pos,
        `write its lines after this one, then a line \`${first.heredoc.delimiter}\``,
      );
    }
  }

  /** Consumes a newline at the cursor, then the bodies of the here-documents of its line. */
  private newline(): void {
    this.pos++;
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const { heredoc, pos } of pending) this.heredocBody(heredoc, pos);
  }

  /** Reads a here-document's body at the cursor, up to and past its delimiter line. */
  private heredocBody(heredoc: Heredoc, pos: number): void {
    const text = this.text;
    const start = this.pos;
    let at = start;
    let end = -1;
    let after = -1;
    while (at <= text.length) {
      const nl = text.indexOf("\n", at);
      const lineEnd = nl < 0 ? text.length : nl;
      let line = text.slice(at, lineEnd);
      if (heredoc.stripTabs) line = line.replace(/^\t+/, "");
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === heredoc.delimiter) {
        end = at;
        after = nl < 0 ? text.length : nl + 1;
        break;
      }
      if (nl < 0) break;
      at = nl + 1;
    }
    if (end < 0) {
      this.fail(
        `the here-document \`${heredoc.delimiter}\` is not closed`,
        pos,
        `end it with a line that is exactly \`${heredoc.delimiter}\``,
      );
    }
    heredoc.bodyStart = start;
    heredoc.bodyEnd = end;
    if (heredoc.quoted) {
      let body = text.slice(start, end);
      if (heredoc.stripTabs) body = body.replace(/^\t+/gm, "");
      heredoc.body = { parts: [{ kind: "lit", text: body, quoted: true }], pos: start };
    } else {
      heredoc.body = { parts: this.heredocParts(end, heredoc.stripTabs, pos), pos: start };
    }
    this.pos = after;
  }

  /** The parts of an unquoted here-document body, read in place up to `end`. */
  private heredocParts(end: number, stripTabs: boolean, pos: number): WordPart[] {
    const parts: WordPart[] = [];
    let lit = "";
    const flush = () => {
      if (lit) parts.push({ kind: "lit", text: lit, quoted: true });
      lit = "";
    };
    let lineStart = true;
    while (this.pos < end) {
      if (lineStart && stripTabs) {
        while (this.pos < end && this.ch() === "\t") this.pos++;
        lineStart = false;
        continue;
      }
      lineStart = false;
      const c = this.ch();
      if (c === "\\" && /[$`\\\n]/.test(this.ch(1))) {
        if (this.ch(1) !== "\n") lit += this.ch(1);
        this.pos += 2;
        continue;
      }
      if (c === "$" || c === "`") {
        const part = this.dollar(true);
        if (part) {
          flush();
          parts.push(part);
          continue;
        }
      }
      lit += c;
      this.pos++;
      if (c === "\n") lineStart = true;
    }
    if (this.pos > end) {
      this.fail("an expansion in a here-document runs past its delimiter line", pos);
    }
    flush();
    return parts;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private ch(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }

  private fail(message: string, pos = this.pos, hint?: string): never {
    throw new ShellSyntaxError(message, pos, hint);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) {
      throw new ShellSyntaxError(
        `the script nests deeper than ${MAX_DEPTH} levels`,
        this.pos,
        NESTING_HINT,
        NESTING_CODE,
      );
    }
  }

  /** Skips blanks, line continuations and comments; newlines too when `newlines`. */
  skipSpace(newlines = false): void {
    for (;;) {
      const c = this.ch();
      if (c === " " || c === "\t" || c === "\r") this.pos++;
      else if (c === "\\" && this.ch(1) === "\n") this.pos += 2;
      else if (c === "\n" && newlines) this.newline();
      else if (c === "#") {
        while (!this.atEnd() && this.ch() !== "\n") this.pos++;
      } else return;
    }
  }

  /** The unquoted reserved word at the cursor, if any (not consumed). */
  private reserved(): string | undefined {
    // What the pattern can start with, tested first: most words are no reserved word.
    const c = this.text[this.pos];
    if (
      !((c >= "a" && c <= "z") || c === "{" || c === "}" || c === "!" || c === "[" || c === "(")
    ) {
      return undefined;
    }
    const m = /^(?:[a-z]+|\{|\}|!|\[\[|\(\()/.exec(this.text.slice(this.pos, this.pos + 10));
    if (!m) return undefined;
    const word = m[0];
    const after = this.text[this.pos + word.length] ?? "";
    if (word === "((") return word;
    if (after !== "" && !WORD_END.test(after)) return undefined;
    return word;
  }

  /** A list that must hold a command (`do … done`, `then … fi`, `{ … }`), as sh requires. */
  private body(until: Set<string> | null, what: string, pos: number): List {
    const list = this.list(until);
    if (list.items.length === 0) this.fail(`${what} needs at least one command`, pos);
    return list;
  }

  /** A list, up to EOF, `)` or one of `until` (reserved words that end it). */
  list(until: Set<string> | null): List {
    this.enter();
    const items: AndOr[] = [];
    const caseEnd = () => this.ch() === ";" && this.ch(1) === ";" && until?.has(";;") === true;
    for (;;) {
      this.skipSpace(true);
      while (this.ch() === ";" && !caseEnd()) {
        if (this.ch(1) === ";") this.fail("`;;` ends a `case` item, outside of `case`");
        if (items.length === 0) this.fail("unexpected `;`");
        this.pos++;
        this.skipSpace(true);
      }
      if (this.atEnd() || this.ch() === ")" || caseEnd()) break;
      const word = this.reserved();
      if (word && TERMINATORS.has(word)) {
        if (until?.has(word)) break;
        this.fail(`unexpected \`${word}\``);
      }
      items.push(this.andOr());
      this.skipSpace(false);
      const c = this.ch();
      if (caseEnd()) break;
      if (c === ";" && this.ch(1) === "&") {
        this.fail(
          "`;&` (fall through to the next `case` item) is bash",
          this.pos,
          "end the item with `;;` and repeat the commands, or use `shell: bash`",
        );
      }
      if (c === ";" || c === "\n") {
        if (c === ";" && this.ch(1) === ";") {
          this.fail("`;;` ends a `case` item, outside of `case`");
        }
        if (c === "\n") this.newline();
        else this.pos++;
        continue;
      }
      if (c === "&") {
        this.fail(
          "background jobs (`&`) are not supported",
          this.pos,
          "steps already run in parallel: split the work into steps joined by `needs:`",
        );
      }
      if (this.atEnd() || c === ")") break;
      const next = this.reserved();
      if (next && until?.has(next)) break;
      this.fail(`unexpected \`${c}\``);
    }
    this.depth--;
    return { kind: "list", items };
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: AndOr["rest"] = [];
    for (;;) {
      this.skipSpace(false);
      const two = this.text.slice(this.pos, this.pos + 2);
      if (two !== "&&" && two !== "||") break;
      this.pos += 2;
      this.skipSpace(true);
      rest.push({ op: two, pipeline: this.pipeline() });
    }
    return { first, rest };
  }

  private pipeline(): Pipeline {
    this.skipSpace(false);
    const pos = this.pos;
    let negated = false;
    if (this.reserved() === "!") {
      negated = true;
      this.pos++;
      this.skipSpace(false);
    }
    const commands: Command[] = [this.command()];
    const stderrToo: boolean[] = [];
    for (;;) {
      this.skipSpace(false);
      if (this.ch() !== "|" || this.ch(1) === "|") break;
      const both = this.ch(1) === "&";
      this.pos += both ? 2 : 1;
      this.skipSpace(true);
      stderrToo.push(both);
      commands.push(this.command());
    }
    return { negated, commands, stderrToo, pos };
  }

  private command(): Command {
    this.skipSpace(false);
    const pos = this.pos;
    const word = this.reserved();
    if (word !== undefined && UNSUPPORTED[word]) {
      this.fail(`\`${word}\` is not supported`, pos, UNSUPPORTED[word]);
    }
    const def = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*\([ \t]*\)/.exec(
      this.text.slice(this.pos, this.pos + 300),
    );
    if (def && !TERMINATORS.has(def[1]) && !RESERVED.has(def[1])) {
      return this.functionDef(def[1], def[0].length, pos);
    }
    if (this.ch() === "(") {
      this.pos++;
      const body = this.list(null);
      this.expect(")", "`(` is not closed: add `)`", pos);
      return { kind: "subshell", body, redirects: this.redirects(), pos };
    }
    switch (word) {
      case "{": {
        this.pos++;
        const body = this.body(new Set(["}"]), "`{ … }`", pos);
        this.expectWord("}", "`{` is not closed: add `}` (after a `;` or a newline)", pos);
        return { kind: "group", body, redirects: this.redirects(), pos };
      }
      case "if":
        return this.ifCommand(pos);
      case "case":
        return this.caseCommand(pos);
      case "for":
        return this.forCommand(pos);
      case "while":
      case "until": {
        this.pos += word.length;
        const cond = this.body(new Set(["do"]), `\`${word}\``, pos);
        this.expectWord("do", `\`${word}\` needs \`do\``, pos);
        const body = this.body(new Set(["done"]), "`do … done`", pos);
        this.expectWord("done", `\`${word} … do\` needs \`done\``, pos);
        return {
          kind: "while",
          until: word === "until",
          cond,
          body,
          redirects: this.redirects(),
          pos,
        };
      }
    }
    return this.simple();
  }

  /** `NAME() compound-command`: the body must be a compound command, as POSIX says. */
  private functionDef(name: string, length: number, pos: number): FunctionDef {
    this.pos += length;
    this.skipSpace(true);
    const bodyPos = this.pos;
    if (this.atEnd()) {
      this.fail(`the function \`${name}\` needs a body`, pos, "write `" + name + "() { …; }`");
    }
    const body = this.command();
    if (body.kind === "simple" || body.kind === "function") {
      this.fail(
        `the body of the function \`${name}\` must be a compound command`,
        bodyPos,
        "write `" + name + "() { …; }`",
      );
    }
    return { kind: "function", name, body, redirects: [], pos };
  }

  private caseCommand(pos: number): Case {
    this.pos += 4;
    this.skipSpace(false);
    if (this.atEnd() || OPERATOR_OR_NEWLINE.test(this.ch())) this.fail("`case` needs a word", pos);
    const word = this.word();
    this.skipSpace(true);
    if (this.reserved() !== "in") this.fail("`case WORD` needs `in`", pos);
    this.pos += 2;
    const items: Case["items"] = [];
    for (;;) {
      this.skipSpace(true);
      if (this.reserved() === "esac") {
        this.pos += 4;
        break;
      }
      if (this.atEnd()) this.fail("`case` needs `esac`", pos);
      const itemPos = this.pos;
      if (this.ch() === "(") this.pos++;
      const patterns: Word[] = [];
      for (;;) {
        this.skipSpace(false);
        if (this.atEnd() || OPERATOR_OR_NEWLINE.test(this.ch())) {
          this.fail("a `case` pattern is missing", this.pos);
        }
        patterns.push(this.word());
        this.skipSpace(false);
        if (this.ch() === "|") {
          this.pos++;
          continue;
        }
        if (this.ch() === ")") {
          this.pos++;
          break;
        }
        this.fail("a `case` pattern must end with `)`", this.pos);
      }
      const body = this.list(CASE_END);
      this.skipSpace(true);
      items.push({ patterns, body, pos: itemPos });
      if (this.ch() === ";" && this.ch(1) === ";") {
        if (this.ch(2) === "&") {
          this.fail(
            "`;;&` (test the next `case` patterns too) is bash",
            this.pos,
            "use separate `case` commands, or `shell: bash`",
          );
        }
        this.pos += 2;
        continue;
      }
      if (this.reserved() === "esac") {
        this.pos += 4;
        break;
      }
      if (this.atEnd()) this.fail("`case` needs `esac`", pos);
      this.fail("a `case` item must end with `;;` or `esac`", this.pos);
    }
    return { kind: "case", word, items, redirects: this.redirects(), pos };
  }

  private ifCommand(pos: number): Command {
    this.pos += 2;
    const clauses: { cond: List; body: List }[] = [];
    let otherwise: List | null = null;
    for (;;) {
      const cond = this.body(new Set(["then"]), "`if`", pos);
      this.expectWord("then", "`if` needs `then`", pos);
      const body = this.body(new Set(["elif", "else", "fi"]), "`then`", pos);
      clauses.push({ cond, body });
      const word = this.reserved();
      if (word === "elif") {
        this.pos += 4;
        continue;
      }
      if (word === "else") {
        this.pos += 4;
        otherwise = this.body(new Set(["fi"]), "`else`", pos);
      }
      this.expectWord("fi", "`if` needs `fi`", pos);
      break;
    }
    return { kind: "if", clauses, otherwise, redirects: this.redirects(), pos };
  }

  private forCommand(pos: number): Command {
    this.pos += 3;
    this.skipSpace(false);
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) this.fail("`for` needs a variable name", this.pos);
    const name = m[0];
    this.pos += name.length;
    this.skipSpace(false);
    const items: Word[] = [];
    let explicit = false;
    if (this.reserved() === "in") {
      explicit = true;
      this.pos += 2;
      for (;;) {
        this.skipSpace(false);
        const c = this.ch();
        if (c === ";" || c === "\n" || this.atEnd()) break;
        items.push(this.word());
      }
    }
    if (!explicit) {
      // `for NAME; do` is `for NAME in "$@"; do` (the positional parameters).
      items.push({
        parts: [{ kind: "param", name: "@", op: null, arg: null, quoted: true, pos }],
        pos,
      });
    }
    if (this.ch() === ";") this.pos++;
    this.skipSpace(true);
    this.expectWord("do", "`for … in …` needs `; do`", pos);
    const body = this.body(new Set(["done"]), "`do … done`", pos);
    this.expectWord("done", "`for … do` needs `done`", pos);
    return { kind: "for", name, items, body, redirects: this.redirects(), pos };
  }

  private expect(c: string, message: string, pos: number): void {
    this.skipSpace(true);
    if (this.ch() !== c) this.fail(message, pos);
    this.pos++;
  }

  private expectWord(word: string, message: string, pos: number): void {
    this.skipSpace(true);
    if (this.reserved() !== word) this.fail(message, pos);
    this.pos += word.length;
  }

  private redirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      this.skipSpace(false);
      const r = this.redirect();
      if (!r) return out;
      out.push(r);
    }
  }

  /** A redirection at the cursor, or undefined (nothing consumed). */
  private redirect(): Redirect | undefined {
    const pos = this.pos;
    // What the pattern can start with, tested first: most words are no redirection.
    const c = this.text[pos];
    if (!(c === ">" || c === "<" || c === "&" || (c >= "0" && c <= "9"))) return undefined;
    const m = /^(\d*)(&>>|&>|>>|>&|>\||<&|<<|<>|>|<)/.exec(this.text.slice(pos, pos + 8));
    if (!m) return undefined;
    const [all, digits, op] = m;
    if (digits && !["0", "1", "2"].includes(digits)) {
      this.fail(`file descriptor ${digits} is not supported (only 0, 1 and 2)`, pos);
    }
    if (op === "<<") return this.heredoc(pos, digits);
    if (op === "<&" || op === "<>") this.fail(`\`${op}\` is not supported`, pos);
    this.pos += all.length;
    if (op === ">&") {
      this.skipSpace(false);
      const target = this.ch();
      if ((target === "1" || target === "2") && !/[^\s;&|()<>]/.test(this.ch(1) || " ")) {
        this.pos++;
        const fd = digits ? Number(digits) as 0 | 1 | 2 : 1;
        if (fd === 0) this.fail("`0>&` is not supported", pos);
        return { fd, op: ">", target: null, dup: Number(target) as 1 | 2, pos };
      }
      if (digits) this.fail("`N>&` needs 1 or 2", pos);
      // `>&file` is bash for `&>file`; bash decides at run time whether an expansion there is
      // a descriptor, so only a literal file name is taken.
      this.skipSpace(false);
      const file = this.word();
      if (literalWord(file) === undefined) {
        this.fail(
          "`>&` followed by an expansion is ambiguous (a descriptor or a file)",
          pos,
          "write `> file 2>&1` for a file; only descriptors 1 and 2 can be duplicated",
        );
      }
      return { fd: "&", op: ">", target: file, dup: null, pos };
    }
    this.skipSpace(false);
    if (this.atEnd() || OPERATOR_OR_NEWLINE.test(this.ch())) {
      this.fail(`\`${op}\` needs a file name`, pos);
    }
    const target = this.word();
    if (op === "&>" || op === "&>>") {
      return { fd: "&", op: op === "&>" ? ">" : ">>", target, dup: null, pos };
    }
    const kind = op === ">|" ? ">" : op as "<" | ">" | ">>";
    const fd = digits ? Number(digits) as 0 | 1 | 2 : kind === "<" ? 0 : 1;
    if (op === ">|") return { fd, op: kind, target, dup: null, force: true, pos };
    return { fd, op: kind, target, dup: null, pos };
  }

  /** `<<DELIM` or `<<-DELIM` at `pos` (the cursor is after `<<`): the body comes later. */
  private heredoc(pos: number, digits: string): Redirect {
    if (digits && digits !== "0") {
      this.fail(`\`${digits}<<\` is not supported (a here-document is standard input)`, pos);
    }
    if (this.text[pos + digits.length + 2] === "<") {
      this.fail(
        "bash's here-string `<<<` is not supported",
        pos,
        "use a here-document (`<<EOF`) or `printf '%s\\n' … |`",
      );
    }
    this.pos += 2 + digits.length;
    const stripTabs = this.ch() === "-";
    if (stripTabs) this.pos++;
    this.skipSpace(false);
    if (this.atEnd() || OPERATOR_OR_NEWLINE.test(this.ch())) {
      this.fail("a here-document needs a delimiter word (`<<EOF`)", pos);
    }
    const delimiterPos = this.pos;
    const word = this.word();
    let delimiter = "";
    let quoted = false;
    for (const part of word.parts) {
      if (part.kind !== "lit") {
        this.fail(
          "a here-document's delimiter must be a plain word",
          delimiterPos,
          "write it as `EOF`, or `'EOF'` to keep the body literal",
        );
      }
      delimiter += part.text;
      if (part.quoted) quoted = true;
    }
    const heredoc: Heredoc = {
      delimiter,
      quoted,
      stripTabs,
      body: { parts: [], pos: delimiterPos },
      bodyStart: -1,
      bodyEnd: -1,
      delimiterPos,
    };
    this.pending.push({ heredoc, pos });
    return { fd: 0, op: "<<", target: null, dup: null, heredoc, pos };
  }

  private simple(): Simple {
    const pos = this.pos;
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipSpace(false);
      const c = this.ch();
      if (this.atEnd() || c === "\n" || c === ";" || c === ")" || c === "|") break;
      if (c === "&") {
        if (this.ch(1) === ">") {
          redirects.push(this.redirect()!);
          continue;
        }
        break;
      }
      if (c === "(") {
        this.fail(
          words.length ? "unexpected `(`" : "unexpected `(`",
          this.pos,
          words.length === 1 ? "a function is `NAME() { …; }` (`NAME` a plain name)" : undefined,
        );
      }
      const r = this.redirect();
      if (r) {
        redirects.push(r);
        continue;
      }
      if (words.length === 0) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(this.text.slice(this.pos, this.pos + 256));
        if (m) {
          const at = this.pos;
          this.pos += m[0].length;
          const value = WORD_END.test(this.ch()) || this.atEnd()
            ? { parts: [], pos: this.pos }
            : this.word(true);
          assigns.push({ name: m[1], value, pos: at });
          continue;
        }
        if (words.length === 0 && assigns.length === 0) {
          const word = this.reserved();
          if (word && UNSUPPORTED[word]) this.fail(`\`${word}\` is not supported`, this.pos);
        }
      }
      const first = words.length > 0 && words[0].parts.length === 1 ? words[0].parts[0] : undefined;
      const declaring = first?.kind === "lit" && !first.quoted &&
        (first.text === "export" || first.text === "readonly");
      const name = declaring &&
        /^[A-Za-z_][A-Za-z0-9_]*=/.exec(this.text.slice(this.pos, this.pos + 256));
      if (name) {
        // `export NAME=~/bin`: the value is read as an assignment's (tilde after `=` and `:`).
        const at = this.pos;
        this.pos += name[0].length;
        const value = WORD_END.test(this.ch()) || this.atEnd()
          ? { parts: [], pos: this.pos }
          : this.word(true);
        words.push({
          parts: [{ kind: "lit", text: name[0], quoted: false }, ...value.parts],
          pos: at,
        });
        continue;
      }
      words.push(this.word());
    }
    if (!assigns.length && !words.length && !redirects.length) {
      const c = this.ch();
      this.fail(this.atEnd() ? "a command is missing at the end" : `unexpected \`${c}\``);
    }
    return { kind: "simple", assigns, words, redirects, pos };
  }

  /**
   * A word: everything up to an unquoted blank or operator. In an assignment's value, a `~`
   * after an unquoted `:` is expanded too (`PATH=~/bin:~/.local/bin`).
   */
  word(assignment = false): Word {
    const pos = this.pos;
    const parts: WordPart[] = [];
    const ends = assignment ? TILDE_END_IN_ASSIGNMENT : TILDE_END;
    this.tilde(parts, ends);
    this.unquotedParts(
      parts,
      () => WORD_END.test(this.ch()),
      () => {},
      assignment ? ends : undefined,
    );
    if (parts.length === 0) this.fail("a word is missing", pos);
    return { parts, pos };
  }

  /** A `~` at the cursor that expands to `$HOME` (`ends`: what may follow it). */
  private tilde(parts: WordPart[], ends: RegExp): void {
    if (this.ch() !== "~") return;
    const next = this.ch(1);
    if (next === "" || ends.test(next)) {
      parts.push({ kind: "tilde" });
      this.pos++;
      return;
    }
    const user = /^~([A-Za-z_][A-Za-z0-9._-]*)(?=$|[\s/:;&|()<>}])/.exec(
      this.text.slice(this.pos, this.pos + 64),
    );
    if (user) {
      this.fail(
        `\`~${user[1]}\` (another user's home directory) is not supported`,
        this.pos,
        "write the directory's path, or quote the `~` if you mean the character",
      );
    }
  }

  /**
   * Reads word parts until `stop()` holds at an unquoted character (or the end, which
   * `atEnd` may refuse): literal text, `\x`, `'…'`, `"…"` and expansions.
   */
  private unquotedParts(
    parts: WordPart[],
    stop: () => boolean,
    atEnd: () => void,
    tildeEnds?: RegExp,
    inDoubleQuotes = false,
  ): void {
    let lit = "";
    const flush = () => {
      if (lit) parts.push({ kind: "lit", text: lit, quoted: false });
      lit = "";
    };
    for (;;) {
      if (this.atEnd()) {
        atEnd();
        break;
      }
      if (stop()) break;
      const c = this.ch();
      if (inDoubleQuotes && (c === "'" || (c === "\\" && !/[$`"\\}\n]/.test(this.ch(1))))) {
        // Inside `"${X:-…}"` a single quote is a character, and so is a backslash before
        // anything but `$ \` " \\ }` (as inside double quotes).
        lit += c;
        this.pos++;
        continue;
      }
      if (c === "\\") {
        if (this.ch(1) === "\n") {
          this.pos += 2;
          continue;
        }
        flush();
        if (this.pos + 1 >= this.text.length) this.fail("a `\\` ends the script");
        parts.push({ kind: "lit", text: this.ch(1), quoted: true });
        this.pos += 2;
      } else if (c === "'") {
        flush();
        const end = this.text.indexOf("'", this.pos + 1);
        if (end < 0) this.fail("a `'` is not closed", this.pos);
        parts.push({ kind: "lit", text: this.text.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
      } else if (c === '"') {
        flush();
        this.doubleQuoted(parts);
      } else if (c === "$" || c === "`") {
        const part = this.dollar(false);
        if (part) {
          flush();
          parts.push(part);
        } else {
          lit += c;
          this.pos++;
        }
      } else if (c === ":" && tildeEnds && this.ch(1) === "~") {
        lit += c;
        this.pos++;
        flush();
        this.tilde(parts, tildeEnds);
      } else {
        lit += c;
        this.pos++;
      }
    }
    flush();
  }

  private doubleQuoted(parts: WordPart[]): void {
    const start = this.pos;
    this.pos++;
    let lit = "";
    const flush = (force = false) => {
      if (lit || force) parts.push({ kind: "lit", text: lit, quoted: true });
      lit = "";
    };
    let any = false;
    for (;;) {
      if (this.atEnd()) this.fail('a `"` is not closed', start);
      const c = this.ch();
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === "\\" && /[$`"\\\n]/.test(this.ch(1))) {
        if (this.ch(1) !== "\n") lit += this.ch(1);
        this.pos += 2;
      } else if (c === "$" || c === "`") {
        const part = this.dollar(true);
        if (part) {
          flush();
          parts.push(part);
          any = true;
        } else {
          lit += c;
          this.pos++;
        }
      } else {
        lit += c;
        this.pos++;
      }
    }
    // `""` is an empty field, not nothing.
    flush(!any && lit === "" ? true : false);
  }

  /** An expansion at `$` or a backtick, or undefined when the `$` is literal. */
  private dollar(quoted: boolean): WordPart | undefined {
    this.enter();
    try {
      return this.expansion(quoted);
    } finally {
      this.depth--;
    }
  }

  private expansion(quoted: boolean): WordPart | undefined {
    const pos = this.pos;
    if (this.ch() === "`") {
      const end = this.findBacktick(pos + 1);
      const inner = this.text.slice(pos + 1, end).replace(/\\([$`\\])/g, "$1");
      this.pos = end + 1;
      return { kind: "cmdsub", body: this.sub(inner, pos + 1), quoted, pos };
    }
    const next = this.ch(1);
    if (next === "(" && this.ch(2) === "(") {
      this.pos += 3;
      const expr = this.arithWord(pos);
      return { kind: "arith", expr, quoted, pos };
    }
    if (next === "(") {
      this.pos += 2;
      const body = this.list(null);
      this.skipSpace(true);
      if (this.ch() !== ")") this.fail("`$(` is not closed: add `)`", pos);
      this.pos++;
      return { kind: "cmdsub", body, quoted, pos };
    }
    if (next === "{") return this.braced(quoted);
    // `$\<newline>?` is `$?`: a line continuation joins the two.
    let at = pos + 1;
    while (this.text.startsWith("\\\n", at)) at += 2;
    const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9?$#@*!-])/.exec(this.text.slice(at, at + 128));
    if (!m) return undefined;
    this.pos = at + m[0].length;
    return { kind: "param", name: m[0], op: null, arg: null, quoted, pos };
  }

  private braced(quoted: boolean): WordPart {
    const pos = this.pos;
    this.pos += 2;
    let length = false;
    if (this.ch() === "#" && this.ch(1) !== "}") {
      length = true;
      this.pos++;
    }
    const m = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#@*!-])/.exec(
      this.text.slice(this.pos, this.pos + 128),
    );
    if (!m) this.fail("a variable name is missing after `${`", pos);
    const name = m[0];
    this.pos += name.length;
    if (this.atEnd()) this.fail("`${` is not closed: add `}`", pos);
    if (length) {
      if (this.ch() !== "}") this.fail("`${#NAME}` takes only a name", pos);
      this.pos++;
      return { kind: "param", name, op: "#", arg: null, quoted, pos };
    }
    if (this.ch() === "}") {
      this.pos++;
      return { kind: "param", name, op: null, arg: null, quoted, pos };
    }
    const op = /^(:-|:\+|:=|:\?|-|\+|=|\?|##|#|%%|%)/.exec(
      this.text.slice(this.pos, this.pos + 2),
    )?.[0];
    if (!op) {
      this.fail(
        `\`\${${name}${this.ch()}…}\` is not supported`,
        pos,
        "supported: ${NAME}, ${NAME:-default}, ${NAME:+alt}, ${NAME:=default}, ${NAME:?message}, ${#NAME}, ${NAME#pattern}, ${NAME##pattern}, ${NAME%pattern}, ${NAME%%pattern} (bash's ${NAME/…}, ${NAME:N:M} and ${NAME^^}: `shell: bash`)",
      );
    }
    this.pos += op.length;
    const patternOp = op === "#" || op === "##" || op === "%" || op === "%%";
    const arg = this.bracedWord(
      pos,
      quoted && !patternOp,
      quoted || patternOp,
    );
    const ops: Record<string, Extract<WordPart, { kind: "param" }>["op"]> = {
      "#": "prefix",
      "##": "longPrefix",
      "%": "suffix",
      "%%": "longSuffix",
    };
    return {
      kind: "param",
      name,
      op: ops[op] ?? op as Extract<WordPart, { kind: "param" }>["op"],
      arg,
      quoted,
      pos,
    };
  }

  /** The word inside `${NAME:-…}`, up to the closing `}`. */
  private bracedWord(start: number, inDoubleQuotes: boolean, quoted: boolean): Word {
    const pos = this.pos;
    const parts: WordPart[] = [];
    if (!quoted) this.tilde(parts, /[/}]/);
    this.unquotedParts(
      parts,
      () => this.ch() === "}",
      () => this.fail("`${` is not closed: add `}`", start),
      undefined,
      inDoubleQuotes,
    );
    this.pos++;
    return { parts, pos };
  }

  /** The expression of `$(( … ))` as a word (expansions inside are allowed). */
  private arithWord(start: number): Word {
    const pos = this.pos;
    const parts: WordPart[] = [];
    let lit = "";
    let depth = 0;
    for (;;) {
      if (this.atEnd()) this.fail("`$((` is not closed: add `))`", start);
      const c = this.ch();
      if (c === ")" && depth === 0) {
        if (this.ch(1) !== ")") this.fail("`$((` must end with `))`", start);
        this.pos += 2;
        break;
      }
      if (c === "(" && ++depth > MAX_ARITH_DEPTH) {
        throw new ShellSyntaxError(
          `\`$((\` nests parentheses deeper than ${MAX_ARITH_DEPTH} levels`,
          this.pos,
          NESTING_HINT,
          NESTING_CODE,
        );
      }
      if (c === ")") depth--;
      if (c === "$" || c === "`") {
        const part = this.dollar(true);
        if (part) {
          if (lit) parts.push({ kind: "lit", text: lit, quoted: true });
          lit = "";
          parts.push(part);
          continue;
        }
      }
      lit += c;
      this.pos++;
    }
    if (lit) parts.push({ kind: "lit", text: lit, quoted: true });
    return { parts, pos };
  }

  private findBacktick(from: number): number {
    for (let i = from; i < this.text.length; i++) {
      if (this.text[i] === "\\") i++;
      else if (this.text[i] === "`") return i;
    }
    this.fail("a backtick is not closed", from - 1);
  }

  /** Parses the text of a backtick substitution; positions map back to this script. */
  private sub(inner: string, offset: number): List {
    try {
      this.enter();
      const list = parseScript(inner);
      this.depth--;
      shiftPositions(list, offset);
      return list;
    } catch (error) {
      if (error instanceof ShellSyntaxError) {
        throw new ShellSyntaxError(error.message, offset + error.pos, error.hint);
      }
      throw error;
    }
  }
}
