/**
 * Undeclared reads: a step whose script reads a file by a literal path — another step's
 * declared file output, or a file of the project — without declaring it as an input gets stale
 * cache hits (the file is not in its cache key). Lily's shell sees literal paths at compose,
 * so these are found here and reported as positioned warnings, never as errors. What counts as
 * a read: a `<` redirect, and the file arguments of programs known to read their arguments
 * (`cat`, `grep`, `python3`…). Paths built at run time are not seen (docs/cache.md).
 * @module
 */
import { isAbsolute, join, relative } from "node:path";
import { LilyError, type Span } from "../errors.ts";
import { spanAt } from "../expr/_span.ts";
import type { IODecl, Petal, Step } from "../schema/petal.ts";
import type { Command, List, Redirect, Simple, Word } from "../shell/ast.ts";
import { literalWord } from "../shell/ast.ts";
import { parseScript, ShellSyntaxError } from "../shell/parser.ts";
import { lazyLocate } from "../source/locate.ts";

/** Programs whose non-option arguments are files they read. */
const READERS = new Set([
  "cat",
  "tac",
  "head",
  "tail",
  "wc",
  "sort",
  "uniq",
  "cut",
  "paste",
  "nl",
  "od",
  "xxd",
  "base64",
  "md5sum",
  "sha1sum",
  "sha256sum",
  "sha512sum",
  "cksum",
  "diff",
  "cmp",
  "comm",
  "join",
  "zcat",
  "python",
  "python3",
  "node",
  "deno",
  "ruby",
  "perl",
  "sh",
  "bash",
  "dash",
  "source",
  ".",
  "cp",
  "install",
  "rsync",
]);
/** Readers whose first non-option argument is a pattern or program, not a file. */
const PATTERN_FIRST = new Set(["grep", "egrep", "fgrep", "rg", "sed", "awk", "gawk", "jq"]);
/** Readers whose last argument is where they write. */
const LAST_IS_TARGET = new Set(["cp", "install", "rsync"]);

/** One literal path a script reads, with its offset in the script. */
interface Read {
  path: string;
  pos: number;
  length: number;
}

/** Options for {@linkcode undeclaredReads}. */
export interface UndeclaredReadsOptions {
  /** Scripts already parsed by rendering's taint check, by text (parsed here otherwise). */
  parsedScripts?: ReadonlyMap<string, List>;
}

/**
 * Warnings for every undeclared read of every step of the rendered workflow `petal` (`raw`
 * locates them in the sources; `root` is the project root, for "is this a project file").
 */
export function undeclaredReads(
  petal: Petal,
  raw: unknown,
  root: string,
  options: UndeclaredReadsOptions = {},
): LilyError[] {
  const warnings: LilyError[] = [];
  const all = [
    ...petal.steps.map((step, index) => ({ step, path: ["steps", index] as (string | number)[] })),
    ...(petal.on_error ?? []).map((step, index) => ({
      step,
      path: ["on_error", index] as (string | number)[],
    })),
  ];
  // Declared file outputs: normalized path → who writes it.
  const written = new Map<string, { step: string; output: string }>();
  for (const { step } of all) {
    for (const [name, decl] of Object.entries(step.outputs ?? {})) {
      const path = decl.path === undefined ? undefined : normalize(decl.path);
      if (path && !written.has(path)) written.set(path, { step: step.id, output: name });
    }
  }
  for (const { step, path } of all) {
    for (const read of readsOf(step, path, raw, options.parsedScripts)) {
      const file = projectPath(read.path, root);
      if (file === undefined || declares(step, file, petal)) continue;
      const writer = writerOf(file, written);
      if (writer && writer.step === step.id) continue;
      if (writer) {
        const { step: from, output } = writer;
        warnings.push(
          new LilyError(
            "LILY-E0321",
            `step \`${step.id}\` reads \`${read.path}\`, which step \`${from}\` writes (output \`${output}\`), without declaring it as an input`,
            {
              span: read.span,
              label: "undeclared input: its changes do not reach this step's cache key",
              hint: `declare it: ${
                entry(step, `${output}: {from: steps.${from}.outputs.${output}}`)
              } (with \`needs: [${from}]\`), then read it as \`"$LILY_INPUT_${output.toUpperCase()}"\` or by its path (docs/cache.md)`,
            },
          ),
        );
        continue;
      }
      if (!isProjectFile(file, root)) continue;
      const name = inputName(file);
      warnings.push(
        new LilyError(
          "LILY-E0321",
          `step \`${step.id}\` reads the project file \`${read.path}\` without declaring it as an input`,
          {
            span: read.span,
            label: "undeclared input: its changes do not reach this step's cache key",
            hint: `declare it: ${
              entry(step, `${name}: {path: ${file}}`)
            }, so a change to the file re-runs the step instead of restoring a stale result (docs/cache.md)`,
          },
        ),
      );
    }
  }
  return warnings;
}

/** The declared output that is `file` or a directory holding it (one lookup per parent). */
function writerOf<T>(file: string, written: Map<string, T>): T | undefined {
  for (let path = file;;) {
    const found = written.get(path);
    if (found) return found;
    const slash = path.lastIndexOf("/");
    if (slash < 0) return undefined;
    path = path.slice(0, slash);
  }
}

/** The literal paths a step reads, located. */
function readsOf(
  step: Step,
  path: (string | number)[],
  raw: unknown,
  parsedScripts: ReadonlyMap<string, List> | undefined,
): (Read & { span: Span })[] {
  const withBlock = (step.with ?? {}) as Record<string, unknown>;
  if (step.uses === "process" && Array.isArray(withBlock.argv)) {
    const argv = withBlock.argv.map(String);
    return argsRead(argv[0] ?? "", argv.slice(1)).map((i) => ({
      path: argv[i + 1],
      pos: 0,
      length: argv[i + 1].length,
      span: lazyLocate(raw, [...path, "with", "argv", i + 1]),
    }));
  }
  if (step.uses !== "shell" || typeof withBlock.run !== "string") return [];
  if (step.adapter === "docker") return []; // the image's `/bin/sh` runs it, not Lily's shell
  if (withBlock.shell !== undefined && withBlock.shell !== "lily") return [];
  const script = withBlock.run;
  let list = parsedScripts?.get(script);
  try {
    list ??= parseScript(script);
  } catch (error) {
    if (error instanceof ShellSyntaxError) return [];
    throw error;
  }
  const reads: Read[] = [];
  walkList(list, reads, { stopped: false });
  if (reads.length === 0) return []; // no span made for a script that reads nothing
  const base = lazyLocate(raw, [...path, "with", "run"], { content: true });
  return reads.map((r) => ({ ...r, span: spanAt(base, script, r.pos, r.pos + r.length) }));
}

/** Indices (into `args`) of the arguments `program` reads as files. */
function argsRead(program: string, args: string[]): number[] {
  const name = program.split("/").pop() ?? program;
  if (!READERS.has(name) && !PATTERN_FIRST.has(name)) return [];
  let operands = args.map((a, i) => ({ a, i })).filter(({ a }) => a !== "" && !a.startsWith("-"));
  if (PATTERN_FIRST.has(name) && !args.some((a) => a === "-e" || a === "-f")) {
    operands = operands.slice(1);
  }
  if (LAST_IS_TARGET.has(name)) operands = operands.slice(0, -1);
  return operands.map(({ i }) => i);
}

interface WalkState {
  /** After a `cd`, relative paths mean something else: stop looking. */
  stopped: boolean;
}

function walkList(list: List, reads: Read[], state: WalkState): void {
  for (const item of list.items) {
    for (const p of [item.first, ...item.rest.map((r) => r.pipeline)]) {
      for (const command of p.commands) walkCommand(command, reads, state);
    }
  }
}

function walkCommand(command: Command, reads: Read[], state: WalkState): void {
  if (state.stopped) return;
  switch (command.kind) {
    case "simple":
      return walkSimple(command, reads, state);
    case "subshell":
    case "group":
      walkList(command.body, reads, state);
      break;
    case "if":
      for (const c of command.clauses) {
        walkList(c.cond, reads, state);
        walkList(c.body, reads, state);
      }
      if (command.otherwise) walkList(command.otherwise, reads, state);
      break;
    case "for":
      walkList(command.body, reads, state);
      break;
    case "while":
      walkList(command.cond, reads, state);
      walkList(command.body, reads, state);
      break;
    case "function":
      walkCommand(command.body, reads, state);
      break;
  }
  redirectReads(command.redirects, reads);
}

function walkSimple(command: Simple, reads: Read[], state: WalkState): void {
  for (const word of command.words) {
    for (const part of word.parts) {
      if (part.kind === "cmdsub") walkList(part.body, reads, state);
    }
  }
  const words = command.words.map((w) => ({ word: w, text: literalWord(w) }));
  const name = words[0]?.text;
  if (name === "cd" || name === "pushd") {
    state.stopped = true;
    return;
  }
  redirectReads(command.redirects, reads);
  if (name === undefined) return;
  const args = words.slice(1);
  // A non-literal argument may be an option: only literal argument lists are judged.
  if (args.some((a) => a.text === undefined)) return;
  for (const i of argsRead(name, args.map((a) => a.text!))) {
    const { word, text } = args[i];
    reads.push({ path: text!, pos: word.pos, length: wordLength(word, text!) });
  }
}

function redirectReads(redirects: Redirect[], reads: Read[]): void {
  for (const r of redirects) {
    if (r.op !== "<" || !r.target) continue;
    const text = literalWord(r.target);
    if (text !== undefined && text !== "") {
      reads.push({ path: text, pos: r.target.pos, length: wordLength(r.target, text) });
    }
  }
}

function wordLength(word: Word, text: string): number {
  const quoted = word.parts.some((p) => p.kind === "lit" && p.quoted);
  return text.length + (quoted ? 2 : 0);
}

/** `path` as a project-relative path (forward slashes), or undefined when outside it. */
function projectPath(path: string, root: string): string | undefined {
  if (path.startsWith("~") || path === "-" || path.startsWith("/dev/")) return undefined;
  const rel = isAbsolute(path) ? relative(root, path) : path;
  const clean = normalize(rel);
  if (!clean || clean === ".." || clean.startsWith("../")) return undefined;
  return clean;
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0 || out[out.length - 1] === "..") out.push("..");
      else out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

/** Whether `step` declares `file`: an input path (or a directory input holding it), an input
 * bound to the output that writes it, or one of its own outputs. */
function declares(step: Step, file: string, petal: Petal): boolean {
  const covers = (p: string | undefined) => {
    if (p === undefined) return false;
    const n = normalize(p);
    return n === file || file.startsWith(n + "/");
  };
  for (const decl of Object.values(step.outputs ?? {})) if (covers(decl.path)) return true;
  for (const decl of Object.values(step.inputs ?? {})) {
    if (covers(decl.path)) return true;
    const source = sourceOutput(decl, petal);
    if (source && covers(source.path)) return true;
  }
  return false;
}

function sourceOutput(decl: IODecl, petal: Petal): IODecl | undefined {
  const m = /^steps\.([A-Za-z_][A-Za-z0-9_.-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/
    .exec(decl.from?.trim() ?? "");
  if (!m) return undefined;
  const step = [...petal.steps, ...(petal.on_error ?? [])].find((s) => s.id === m[1]);
  return step?.outputs?.[m[2]];
}

/** A regular file inside the project (not Lily's own `.lily/`). */
function isProjectFile(file: string, root: string): boolean {
  if (file === ".lily" || file.startsWith(".lily/")) return false;
  try {
    return Deno.statSync(join(root, file)).isFile;
  } catch {
    return false;
  }
}

/** An input name for a file: `data/in.csv` → `in_csv`. */
function inputName(file: string): string {
  const base = file.split("/").pop() ?? file;
  const name = base.replace(/[^A-Za-z0-9_]/g, "_").replace(/^([^A-Za-z_])/, "_$1");
  return name || "file";
}

/**
 * The `inputs:` line to add: the whole map, or (when the step has `inputs:` already, where
 * pasting a second `inputs:` would repeat the key) the entry to add to it.
 */
function entry(step: { inputs?: unknown }, item: string): string {
  return step.inputs !== undefined && step.inputs !== null
    ? `add \`${item}\` to this step's \`inputs:\``
    : `\`inputs: {${item}}\``;
}
