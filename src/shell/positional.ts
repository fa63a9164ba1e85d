/**
 * Positional parameters in a script for Lily's shell: a step's script is never called with
 * arguments, so `$1`, `$@`, `$*` and `$#` at its top level can only be a mistake (often a
 * GitHub Actions or Makefile habit) — compose refuses them. Two places do have them: the body
 * of a function (`f() { echo "$1"; }`: the call's arguments), and a script that sets them
 * itself with `set -- a b` (or `set a b`): there they are allowed. Reads the syntax tree only.
 * @module
 */
import type { List } from "./ast.ts";
import { literalWord } from "./ast.ts";

/** A positional parameter in a script. */
export interface PositionalUse {
  /** `1`…`9`, `10`…, `@`, `*` or `#`. */
  name: string;
  /** Offset of its `$` in the script. */
  pos: number;
}

const POSITIONAL = /^([1-9][0-9]*|[@*#])$/;

/**
 * Every positional parameter the script expands outside function bodies, in source order;
 * none when the script has a `set` that sets them.
 *
 * @example
 * ```ts
 * import { parseScript } from "./parser.ts";
 * import { positionalParams } from "./positional.ts";
 * const uses = positionalParams(parseScript('echo "$1" ${#X} $#; f() { echo "$2"; }'));
 * if (uses.map((u) => u.name).join(",") !== "1,#") throw new Error("wrong");
 * if (positionalParams(parseScript('set -- a b; echo "$1"')).length) throw new Error("set --");
 * ```
 */
export function positionalParams(list: List): PositionalUse[] {
  const out: PositionalUse[] = [];
  let setsThem = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    // A function's body: its positional parameters are the call's arguments.
    if (record.kind === "function") return;
    if (record.kind === "lit") return; // literal text holds no parameter: the most common node
    if (record.kind === "simple" && Array.isArray(record.words) && record.words.length > 1) {
      const words = record.words as Parameters<typeof literalWord>[0][];
      if (literalWord(words[0]) === "set") {
        let optionName = false;
        for (const w of words.slice(1)) {
          const arg = literalWord(w);
          const isName = optionName;
          optionName = arg !== undefined && /^[-+][a-zA-Z]*o$/.test(arg);
          if (isName) continue;
          if (arg === undefined || arg === "--" || !/^[-+]/.test(arg)) setsThem = true;
        }
      }
    }
    if (
      record.kind === "param" && typeof record.name === "string" &&
      POSITIONAL.test(record.name) && typeof record.pos === "number"
    ) {
      // `${#X}` is X's length (op `#`, name X); `$#`/`${#}` is the name `#`.
      out.push({ name: record.name, pos: record.pos });
    }
    for (const value of Object.values(record)) visit(value);
  };
  visit(list);
  return setsThem ? [] : out.sort((a, b) => a.pos - b.pos);
}
