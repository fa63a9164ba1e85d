/**
 * Positional parameters in a script for Lily's shell: a step's script is never called with
 * arguments, so `$1`, `$@`, `$*` and `$#` can only be a mistake (often a GitHub Actions or
 * Makefile habit) — compose refuses them. Reads the syntax tree only.
 * @module
 */
import type { List } from "./ast.ts";

/** A positional parameter in a script. */
export interface PositionalUse {
  /** `1`…`9`, `@`, `*` or `#`. */
  name: string;
  /** Offset of its `$` in the script. */
  pos: number;
}

const POSITIONAL = /^([1-9]|[@*#])$/;

/**
 * Every positional parameter the script expands, in source order.
 *
 * @example
 * ```ts
 * import { parseScript } from "./parser.ts";
 * import { positionalParams } from "./positional.ts";
 * const uses = positionalParams(parseScript('echo "$1" ${#X} $#'));
 * if (uses.map((u) => u.name).join(",") !== "1,#") throw new Error("wrong");
 * ```
 */
export function positionalParams(list: List): PositionalUse[] {
  const out: PositionalUse[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
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
  return out.sort((a, b) => a.pos - b.pos);
}
