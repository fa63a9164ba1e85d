/**
 * Static analysis of a script, for compose: which programs it starts by a literal name (so a
 * name its policy does not allow is an error before anything runs), and where it starts one
 * whose name is only known at run time (checked then).
 * @module
 */
import type { Command, List, Word, WordPart } from "./ast.ts";
import { literalWord } from "./ast.ts";
import { isBuiltin } from "./commands/mod.ts";

/** A command position in a script. */
export interface CommandUse {
  /** The literal name, or undefined when it comes from an expansion. */
  name?: string;
  /** Offset of the command's first word in the script. */
  pos: number;
  builtin: boolean;
}

/**
 * Every command a script may start, in source order.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseScript } from "./parser.ts";
 * import { commandsOf } from "./analyze.ts";
 * const uses = commandsOf(parseScript("echo $(date) | curl -d @- x"));
 * assert(uses.map((u) => u.name).join(",") === "echo,date,curl");
 * ```
 */
export function commandsOf(list: List): CommandUse[] {
  const out: CommandUse[] = [];
  walkList(list, out);
  // Calling a function the script defines starts no program (the programs its body starts are
  // uses of their own, above).
  const functions = functionNames(list);
  for (const use of out) {
    if (use.name !== undefined && functions.has(use.name)) use.builtin = true;
  }
  return out.sort((a, b) => a.pos - b.pos);
}

/** The names of the functions a script defines (`NAME() …`), anywhere in it. */
export function functionNames(list: List): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (record.kind === "lit") return; // literal text holds no command: the most common node
    if (record.kind === "function" && typeof record.name === "string") names.add(record.name);
    for (const value of Object.values(record)) visit(value);
  };
  visit(list);
  return names;
}

function walkList(list: List, out: CommandUse[]): void {
  for (const item of list.items) {
    for (const p of [item.first, ...item.rest.map((r) => r.pipeline)]) {
      for (const command of p.commands) walkCommand(command, out);
    }
  }
}

function walkCommand(command: Command, out: CommandUse[]): void {
  for (const r of command.redirects) {
    if (r.target) walkWord(r.target, out);
    if (r.heredoc) walkWord(r.heredoc.body, out);
  }
  switch (command.kind) {
    case "simple": {
      for (const a of command.assigns) walkWord(a.value, out);
      command.words.forEach((w) => walkWord(w, out));
      const first = command.words[0];
      if (first) {
        const name = literalWord(first);
        out.push({
          name,
          pos: first.pos,
          builtin: name !== undefined && !name.includes("/") && isBuiltin(name),
        });
      }
      return;
    }
    case "subshell":
    case "group":
      return walkList(command.body, out);
    case "function":
      return walkCommand(command.body, out);
    case "if":
      for (const c of command.clauses) {
        walkList(c.cond, out);
        walkList(c.body, out);
      }
      if (command.otherwise) walkList(command.otherwise, out);
      return;
    case "for":
      command.items.forEach((w) => walkWord(w, out));
      return walkList(command.body, out);
    case "while":
      walkList(command.cond, out);
      return walkList(command.body, out);
    case "case":
      walkWord(command.word, out);
      for (const item of command.items) {
        item.patterns.forEach((w) => walkWord(w, out));
        walkList(item.body, out);
      }
      return;
  }
}

function walkWord(word: Word, out: CommandUse[]): void {
  for (const part of word.parts) walkPart(part, out);
}

function walkPart(part: WordPart, out: CommandUse[]): void {
  if (part.kind === "cmdsub") walkList(part.body, out);
  else if (part.kind === "arith") walkWord(part.expr, out);
  else if (part.kind === "param" && part.arg) walkWord(part.arg, out);
}
