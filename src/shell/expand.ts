/**
 * Word expansion: parameters, command and arithmetic substitution, then field splitting of
 * unquoted results on `IFS` (blanks by default), then pathname expansion (globs) of unquoted `*`, `?` and `[…]`.
 * Quoting protects from splitting and globbing, as in POSIX sh.
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { List, Word, WordPart } from "./ast.ts";
import { ArithError, evaluateArith } from "./arith.ts";
import { ShellExit } from "./types.ts";

/** What expansion needs from the interpreter. */
export interface ExpandScope {
  cwd: string;
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** Runs a command substitution; resolves to its stdout. */
  substitute(body: List): Promise<string>;
  /** Throws unless globbing may list `dir`. */
  checkRead(dir: string): void;
  /** Reports an expansion error (`${X:?}`, bad arithmetic) on stderr. */
  error(message: string): Promise<void>;
  nounset: boolean;
  /** `set -f`: no pathname expansion. */
  noglob?: boolean;
  /** The positional parameters (`"$@"` is one field each). */
  positional?: () => string[];
}

interface Segment {
  text: string;
  /** Unquoted text: glob characters in it are active. */
  glob: boolean;
}

/** Expands a word into fields (split and globbed). */
export async function expandFields(word: Word, scope: ExpandScope): Promise<string[]> {
  const fields: Segment[][] = [[]];
  const present: boolean[] = [false];
  const cur = () => fields[fields.length - 1];
  const newField = () => {
    fields.push([]);
    present.push(false);
  };
  const add = async (parts: WordPart[], inArg: boolean): Promise<void> => {
    for (const part of parts) {
      if (part.kind === "lit") {
        // A literal inside an unquoted `${X:-…}` is split too (`${X:-a b}` is two fields).
        if (inArg && !part.quoted) {
          split(part.text);
          continue;
        }
        cur().push({ text: part.text, glob: !part.quoted });
        if (part.quoted || part.text) present[present.length - 1] = true;
        continue;
      }
      if (part.kind === "tilde") {
        cur().push({ text: scope.getVar("HOME") ?? "~", glob: false });
        present[present.length - 1] = true;
        continue;
      }
      // An unquoted `${X:-word}` that takes its word: the word's own quoting holds
      // (`${X:-'a b' c}` is two fields, `a b` and `c`).
      if (
        part.kind === "param" && !part.quoted && part.arg &&
        (part.op === ":-" || part.op === "-" || part.op === ":+" || part.op === "+")
      ) {
        const v = scope.getVar(part.name);
        const set = part.op === ":-" || part.op === ":+"
          ? v !== undefined && v !== ""
          : v !== undefined;
        const takesWord = part.op === ":-" || part.op === "-" ? !set : set;
        if (takesWord) {
          await add(part.arg.parts, true);
          continue;
        }
        if (part.op === ":+" || part.op === "+") continue;
        split(v ?? "");
        continue;
      }
      if (
        part.kind === "param" && (part.name === "@" || part.name === "*") && part.op === null &&
        !part.quoted && scope.positional
      ) {
        // Unquoted `$@` and `$*`: each parameter is split on its own.
        scope.positional().forEach((arg, index) => {
          if (index > 0 && present[present.length - 1]) newField();
          split(arg);
        });
        continue;
      }
      if (part.kind === "param" && part.name === "@" && part.op === null && part.quoted) {
        // `"$@"`: one field per positional parameter; none is no field at all (not an empty
        // one), and text around it joins the first and the last.
        const args = scope.positional?.() ?? [];
        args.forEach((arg, index) => {
          if (index > 0) newField();
          cur().push({ text: arg, glob: false });
          present[present.length - 1] = true;
        });
        continue;
      }
      const value = await expandPart(part, scope);
      if (part.quoted) {
        cur().push({ text: value, glob: false });
        present[present.length - 1] = true;
        continue;
      }
      split(value);
    }
  };
  // Unquoted: split into fields on IFS (POSIX field splitting, as dash does it).
  const split = (value: string) => {
    const ifs = scope.getVar("IFS") ?? " \t\n";
    const isIfs = (c: string) => ifs.includes(c);
    const isBlank = (c: string) => isIfs(c) && (c === " " || c === "\t" || c === "\n");
    let i = 0;
    let piece = "";
    const addPiece = () => {
      if (piece) {
        cur().push({ text: piece, glob: true });
        present[present.length - 1] = true;
      }
      piece = "";
    };
    while (i < value.length) {
      const c = value[i];
      if (!isIfs(c)) {
        piece += c;
        i++;
        continue;
      }
      addPiece();
      // A delimiter: IFS blanks, with at most one other IFS character among them.
      while (i < value.length && isBlank(value[i])) i++;
      let hard = false;
      if (i < value.length && isIfs(value[i]) && !isBlank(value[i])) {
        hard = true;
        i++;
        while (i < value.length && isBlank(value[i])) i++;
      }
      // A non-blank delimiter ends a field even when it is empty (`,a` is "" and "a").
      if (hard) present[present.length - 1] = true;
      if (present[present.length - 1]) newField();
    }
    addPiece();
  };
  await add(word.parts, false);
  const out: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (!present[i]) continue;
    const segments = fields[i];
    if (!scope.noglob && segments.some((s) => s.glob && /[*?[]/.test(s.text))) {
      const matches = await glob(segments, scope);
      if (matches.length) {
        out.push(...matches);
        continue;
      }
    }
    out.push(segments.map((s) => s.text).join(""));
  }
  return out;
}

/**
 * Expands a word into a shell pattern (for `case` and `${X#pattern}`): expansions happen, and
 * quoted characters are escaped so that they match only themselves.
 */
export async function expandPattern(word: Word, scope: ExpandScope): Promise<string> {
  let out = "";
  for (const part of word.parts) {
    let text: string;
    let active = false;
    if (part.kind === "lit") {
      text = part.text;
      active = !part.quoted;
    } else if (part.kind === "tilde") text = scope.getVar("HOME") ?? "~";
    else {
      text = await expandPart(part, scope);
      active = !part.quoted;
    }
    out += active ? text : text.replace(/[*?[\\]/g, "\\$&");
  }
  return out;
}

/**
 * A shell pattern as a regular expression matching a whole string (`*` matches any text,
 * `/` included, as in `case`).
 */
export function patternRegex(pattern: string): RegExp {
  return new RegExp(patternSource(pattern, "[\\s\\S]*", "[\\s\\S]") + "$", "u");
}

/** Whether `text` matches the shell pattern. */
export function matchPattern(pattern: string, text: string): boolean {
  return patternRegex(pattern).test(text);
}

/** `${X#p}` `${X##p}` `${X%p}` `${X%%p}`: the value without its shortest/longest match. */
export function removePattern(
  value: string,
  pattern: string,
  op: "prefix" | "longPrefix" | "suffix" | "longSuffix",
): string {
  const regex = patternRegex(pattern);
  const chars = Array.from(value);
  const n = chars.length;
  const test = (from: number, to: number) => regex.test(chars.slice(from, to).join(""));
  switch (op) {
    case "prefix":
      for (let i = 0; i <= n; i++) if (test(0, i)) return chars.slice(i).join("");
      break;
    case "longPrefix":
      for (let i = n; i >= 0; i--) if (test(0, i)) return chars.slice(i).join("");
      break;
    case "suffix":
      for (let i = n; i >= 0; i--) if (test(i, n)) return chars.slice(0, i).join("");
      break;
    case "longSuffix":
      for (let i = 0; i <= n; i++) if (test(i, n)) return chars.slice(0, i).join("");
      break;
  }
  return value;
}

/** Expands a word into one string: no splitting, no globbing (assignments, redirections). */
export async function expandString(word: Word, scope: ExpandScope): Promise<string> {
  let out = "";
  for (const part of word.parts) {
    if (part.kind === "lit") out += part.text;
    else if (part.kind === "tilde") out += scope.getVar("HOME") ?? "~";
    else out += await expandPart(part, scope);
  }
  return out;
}

async function expandPart(
  part: Exclude<WordPart, { kind: "lit" } | { kind: "tilde" }>,
  scope: ExpandScope,
): Promise<string> {
  if (part.kind === "cmdsub") {
    return (await scope.substitute(part.body)).replace(/\n+$/, "");
  }
  if (part.kind === "arith") {
    const text = await expandString(part.expr, scope);
    try {
      return String(evaluateArith(text, { get: scope.getVar, set: scope.setVar }));
    } catch (error) {
      if (error instanceof ArithError) {
        await scope.error(`$((${text})): ${error.message}`);
        // As dash: an arithmetic error ends the (sub)shell with status 2.
        throw new ShellExit(2);
      }
      throw error;
    }
  }
  const value = scope.getVar(part.name);
  const empty = value === undefined || value === "";
  switch (part.op) {
    case null:
      if (value === undefined && scope.nounset && !/^[?$#0-9@*!-]$/.test(part.name)) {
        await scope.error(`${part.name}: unbound variable`);
        throw new ShellExit(2);
      }
      return value ?? "";
    case "#":
      if (value === undefined && scope.nounset && !/^[?$#0-9@*!-]$/.test(part.name)) {
        await scope.error(`${part.name}: unbound variable`);
        throw new ShellExit(2);
      }
      return String(Array.from(value ?? "").length);
    case "prefix":
    case "longPrefix":
    case "suffix":
    case "longSuffix": {
      if (value === undefined && scope.nounset && !/^[?$#0-9@*!-]$/.test(part.name)) {
        await scope.error(`${part.name}: unbound variable`);
        throw new ShellExit(2);
      }
      const pattern = await expandPattern(part.arg!, scope);
      return removePattern(value ?? "", pattern, part.op);
    }
    case ":-":
    case "-":
      return (part.op === ":-" ? empty : value === undefined)
        ? await expandString(part.arg!, scope)
        : value!;
    case ":+":
    case "+":
      return (part.op === ":+" ? !empty : value !== undefined)
        ? await expandString(part.arg!, scope)
        : "";
    case ":=":
    case "=":
      if (part.op === ":=" ? empty : value === undefined) {
        const assigned = await expandString(part.arg!, scope);
        scope.setVar(part.name, assigned);
        return assigned;
      }
      return value!;
    case ":?":
    case "?":
      if (part.op === ":?" ? empty : value === undefined) {
        const message = await expandString(part.arg!, scope);
        await scope.error(`${part.name}: ${message || "parameter null or not set"}`);
        // As dash: the (sub)shell ends with status 2.
        throw new ShellExit(2);
      }
      return value!;
  }
}

/** Pathname expansion of one field; sorted matches, or none. */
async function glob(segments: Segment[], scope: ExpandScope): Promise<string[]> {
  // Build the pattern with quoted characters escaped, then split it on `/`.
  let pattern = "";
  for (const s of segments) pattern += s.glob ? s.text : s.text.replace(/[*?[\\]/g, "\\$&");
  const absolute = pattern.startsWith("/");
  const components = pattern.split("/").filter((c, i) => c !== "" || i === 0);
  let bases: string[] = [absolute ? "/" : ""];
  for (const component of components) {
    if (component === "") continue;
    const next: string[] = [];
    if (!/(^|[^\\])[*?[]/.test(component)) {
      const literal = component.replace(/\\(.)/g, "$1");
      for (const base of bases) next.push(base === "" ? literal : join(base, literal));
    } else {
      const regex = globRegex(component);
      for (const base of bases) {
        const dir = isAbsolute(base) ? base : join(scope.cwd, base);
        scope.checkRead(dir);
        try {
          const names: string[] = [];
          for await (const entry of Deno.readDir(dir)) {
            if (entry.name.startsWith(".") && !component.startsWith(".")) continue;
            if (regex.test(entry.name)) names.push(entry.name);
          }
          for (const name of names.sort()) next.push(base === "" ? name : join(base, name));
        } catch (error) {
          if (error instanceof Deno.errors.NotCapable) throw error;
          // unreadable or missing: no matches here
        }
      }
    }
    bases = next;
    if (bases.length === 0) return [];
  }
  // Literal components were not checked for existence (nor against the policy: `x/../..`).
  const out: string[] = [];
  for (const path of bases) {
    const abs = isAbsolute(path) ? path : join(scope.cwd, path);
    scope.checkRead(abs);
    try {
      await Deno.lstat(abs);
      out.push(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw error;
    }
  }
  return out;
}

function globRegex(component: string): RegExp {
  return new RegExp(patternSource(component, "[^/]*", "[^/]") + "$", "su");
}

/** The regular expression source (from `^`) of a shell pattern. */
function patternSource(pattern: string, star: string, one: string): string {
  const chars = Array.from(pattern);
  let source = "^";
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === "\\") source += escapeRegex(chars[++i] ?? "\\");
    else if (c === "*") source += star;
    else if (c === "?") source += one;
    else if (c === "[") {
      // A bracket expression: `]` first is literal; `!` or `^` first negates.
      let j = i + 1;
      let negate = false;
      if (chars[j] === "!" || chars[j] === "^") {
        negate = true;
        j++;
      }
      const start = j;
      if (chars[j] === "]") j++;
      while (j < chars.length && chars[j] !== "]") {
        if (chars[j] === "[" && chars[j + 1] === ":") {
          const close = chars.indexOf(":", j + 2);
          if (close > 0 && chars[close + 1] === "]") {
            j = close + 2;
            continue;
          }
        }
        j++;
      }
      if (j >= chars.length) {
        source += "\\[";
        continue;
      }
      let set = "";
      for (let k = start; k < j; k++) {
        const ch = chars[k];
        if (ch === "\\" && k + 1 < j) set += escapeRegex(chars[++k]);
        else if (ch === "[" && chars[k + 1] === ":") {
          const close = chars.indexOf(":", k + 2);
          const name = close > 0 && chars[close + 1] === "]"
            ? chars.slice(k + 2, close).join("")
            : "";
          const cls = CLASSES[name];
          if (cls) {
            set += cls;
            k = close + 1;
          } else set += "\\[";
        } else if (ch === "-") set += k > start && k < j - 1 ? "-" : "\\-";
        else set += escapeRegex(ch);
      }
      source += `[${negate ? "^" : ""}${set}]`;
      i = j;
    } else source += escapeRegex(c);
  }
  return source;
}

/** POSIX character classes inside brackets. */
const CLASSES: Record<string, string> = {
  alpha: "A-Za-z",
  digit: "0-9",
  alnum: "A-Za-z0-9",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  xdigit: "0-9A-Fa-f",
  cntrl: "\\x00-\\x1f\\x7f",
  print: " -~",
  graph: "!-~",
};

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
