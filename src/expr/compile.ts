/**
 * Parser and type checker in one recursive-descent pass: source → typed JSON AST. Unknown
 * names, ordering across types, non-boolean logic and over-deep nesting are compile errors
 * with the column.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import type { Ast, ExprType, Status } from "./ast.ts";
import { spanAt, type Token, tokenize } from "./lexer.ts";

/** What names mean at compose time. */
export interface Scope {
  /** Type of an identifier path; "secret" for secret params; undefined when unknown. */
  lookup(path: readonly string[]): ExprType | "secret" | undefined;
  /** Known names under a prefix, for did-you-mean. */
  names(prefix: readonly string[]): string[];
}

/** A compiled condition. */
export interface Compiled {
  source: string;
  ast: Ast;
  status: Status;
  /** Identifier paths the expression reads. */
  refs: string[][];
}

/** Deepest nesting of parentheses, lists and `!`. */
export const MAX_DEPTH = 64;

const ROOTS = ["params", "vars", "env", "steps"];
const FUNCTIONS = ["success", "failure", "always", "cancelled"] as const;

interface Typed {
  ast: Ast;
  type: ExprType;
  start: number;
  end: number;
}

/**
 * Compiles an `if:` expression.
 *
 * @example
 * ```ts
 * import { compileExpr } from "./compile.ts";
 * const scope = { lookup: (p: readonly string[]) => p.join(".") === "params.n" ? "int" as const : undefined, names: () => ["n"] };
 * const c = compileExpr("params.n > 2", scope, { file: "f", line: 1, col: 1 });
 * console.assert(c.status === "success");
 * ```
 */
export function compileExpr(source: string, scope: Scope, where: Span): Compiled {
  const tokens = tokenize(source, where);
  const parser = new Parser(source, tokens, scope, where);
  const result = parser.parseOr(0);
  const rest = parser.peek();
  if (rest.kind !== "eof") {
    throw new LilyError("LILY-E0506", `unexpected \`${source.slice(rest.start, rest.end)}\``, {
      span: spanAt(where, rest.start, rest.end),
      hint: "join conditions with `&&` or `||`",
    });
  }
  if (result.type !== "bool" && result.type !== "any") {
    throw new LilyError(
      "LILY-E0509",
      `a condition must be a boolean, but this is ${describe(result.type)}`,
      {
        span: spanAt(where, result.start, result.end),
        hint: result.type === "str"
          ? 'compare it: `… == "yes"`'
          : "compare it with `==`, `<`, … to get a boolean",
      },
    );
  }
  const used = parser.calls;
  const status: Status = used.has("always")
    ? "always"
    : used.has("failure")
    ? "failure"
    : used.has("cancelled")
    ? "cancelled"
    : "success";
  return { source, ast: result.ast, status, refs: parser.refs };
}

function describe(type: ExprType): string {
  return {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    null: "null",
    list: "a list",
    any: "any value",
  }[type];
}

class Parser {
  #pos = 0;
  refs: string[][] = [];
  calls = new Set<string>();
  constructor(
    readonly source: string,
    readonly tokens: Token[],
    readonly scope: Scope,
    readonly where: Span,
  ) {}

  peek(): Token {
    return this.tokens[this.#pos];
  }
  next(): Token {
    return this.tokens[this.#pos++];
  }
  isPunct(value: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.value === value;
  }
  error(code: string, message: string, start: number, end: number, hint?: string): LilyError {
    return new LilyError(code, message, { span: spanAt(this.where, start, end), hint });
  }
  guard(depth: number, at: number): void {
    if (depth > MAX_DEPTH) {
      throw this.error(
        "LILY-E0513",
        `expression nests deeper than ${MAX_DEPTH} levels`,
        at,
        at + 1,
        "simplify the expression",
      );
    }
  }

  parseOr(depth: number): Typed {
    let left = this.parseAnd(depth);
    while (this.isPunct("||")) {
      this.next();
      const right = this.parseAnd(depth);
      left = this.logic("||", left, right);
    }
    return left;
  }

  parseAnd(depth: number): Typed {
    let left = this.parseEquality(depth);
    while (this.isPunct("&&")) {
      this.next();
      const right = this.parseEquality(depth);
      left = this.logic("&&", left, right);
    }
    return left;
  }

  logic(op: "&&" | "||", l: Typed, r: Typed): Typed {
    for (const side of [l, r]) this.requireBool(side, `\`${op}\``);
    return { ast: { op, l: l.ast, r: r.ast }, type: "bool", start: l.start, end: r.end };
  }

  requireBool(t: Typed, what: string): void {
    if (t.type !== "bool" && t.type !== "any") {
      throw this.error(
        "LILY-E0509",
        `${what} needs a boolean, but this is ${describe(t.type)}`,
        t.start,
        t.end,
        t.type === "str"
          ? 'compare it: `… == "yes"`'
          : "compare it with `==`, `<`, … to get a boolean",
      );
    }
  }

  parseEquality(depth: number): Typed {
    let left = this.parseRelation(depth);
    while (this.isPunct("==") || this.isPunct("!=")) {
      const op = this.next().value as "==" | "!=";
      const right = this.parseRelation(depth);
      left = {
        ast: { op, l: left.ast, r: right.ast },
        type: "bool",
        start: left.start,
        end: right.end,
      };
    }
    return left;
  }

  parseRelation(depth: number): Typed {
    const left = this.parseUnary(depth);
    const t = this.peek();
    const isIn = t.kind === "ident" && t.value === "in";
    if (!(isIn || (t.kind === "punct" && ["<", "<=", ">", ">="].includes(t.value)))) return left;
    this.next();
    const right = this.parseUnary(depth);
    if (isIn) {
      if (!["list", "str", "any"].includes(right.type)) {
        throw this.error(
          "LILY-E0511",
          `\`in\` needs a list or a string on its right, not ${describe(right.type)}`,
          right.start,
          right.end,
        );
      }
      if (right.type === "str" && !["str", "any"].includes(left.type)) {
        throw this.error(
          "LILY-E0511",
          `\`in\` a string needs a string on its left, not ${describe(left.type)}`,
          left.start,
          left.end,
        );
      }
      return {
        ast: { op: "in", l: left.ast, r: right.ast },
        type: "bool",
        start: left.start,
        end: right.end,
      };
    }
    const op = t.value as "<" | "<=" | ">" | ">=";
    const numeric = (x: ExprType) => x === "int" || x === "float";
    const orderable = (x: ExprType) => numeric(x) || x === "str" || x === "any";
    for (const side of [left, right]) {
      if (!orderable(side.type)) {
        throw this.error(
          "LILY-E0510",
          `\`${op}\` compares numbers or strings, not ${describe(side.type)}`,
          side.start,
          side.end,
        );
      }
    }
    if (left.type !== "any" && right.type !== "any" && numeric(left.type) !== numeric(right.type)) {
      throw this.error(
        "LILY-E0510",
        `\`${op}\` compares ${describe(left.type)} with ${describe(right.type)}`,
        left.start,
        right.end,
        "ordering works between two numbers or two strings; convert one side in an earlier step",
      );
    }
    return {
      ast: { op, l: left.ast, r: right.ast },
      type: "bool",
      start: left.start,
      end: right.end,
    };
  }

  parseUnary(depth: number): Typed {
    if (this.isPunct("!")) {
      const bang = this.next();
      this.guard(depth + 1, bang.start);
      const operand = this.parseUnary(depth + 1);
      this.requireBool(operand, "`!`");
      return {
        ast: { op: "!", a: operand.ast },
        type: "bool",
        start: bang.start,
        end: operand.end,
      };
    }
    return this.parsePrimary(depth);
  }

  parsePrimary(depth: number): Typed {
    const t = this.next();
    switch (t.kind) {
      case "str":
        return { ast: { lit: t.value }, type: "str", start: t.start, end: t.end };
      case "num":
        return {
          ast: { lit: t.value },
          type: Number.isInteger(t.value) ? "int" : "float",
          start: t.start,
          end: t.end,
        };
      case "eof":
        throw this.error(
          "LILY-E0506",
          "the expression ends too early",
          t.start,
          t.start + 1,
          "complete the condition",
        );
      case "punct": {
        if (t.value === "(") {
          this.guard(depth + 1, t.start);
          const inner = this.parseOr(depth + 1);
          const close = this.next();
          if (close.kind !== "punct" || close.value !== ")") {
            throw this.error(
              "LILY-E0506",
              "`(` is not closed",
              t.start,
              t.end,
              "add the matching `)`",
            );
          }
          return { ...inner, start: t.start, end: close.end };
        }
        if (t.value === "[") {
          this.guard(depth + 1, t.start);
          const items: Ast[] = [];
          if (!this.isPunct("]")) {
            for (;;) {
              items.push(this.parseOr(depth + 1).ast);
              if (this.isPunct(",")) {
                this.next();
                continue;
              }
              break;
            }
          }
          const close = this.next();
          if (close.kind !== "punct" || close.value !== "]") {
            throw this.error(
              "LILY-E0506",
              "`[` is not closed",
              t.start,
              t.end,
              "separate items with `,` and close with `]`",
            );
          }
          return { ast: { list: items }, type: "list", start: t.start, end: close.end };
        }
        throw this.error(
          "LILY-E0506",
          `unexpected \`${t.value}\``,
          t.start,
          t.end,
          "expected a value, a name or `(`",
        );
      }
      case "ident":
        return this.identifier(t);
    }
  }

  identifier(first: Token & { kind: "ident" }): Typed {
    const name = first.value;
    if (name === "true" || name === "false") {
      return { ast: { lit: name === "true" }, type: "bool", start: first.start, end: first.end };
    }
    if (name === "null") {
      return { ast: { lit: null }, type: "null", start: first.start, end: first.end };
    }
    if (this.isPunct("(")) {
      this.next();
      const close = this.next();
      if (!(FUNCTIONS as readonly string[]).includes(name)) {
        const guess = didYouMean(name, FUNCTIONS);
        throw this.error(
          "LILY-E0508",
          `unknown function \`${name}()\``,
          first.start,
          first.end,
          guess
            ? `did you mean \`${guess}()\`?`
            : `functions are ${listNames([...FUNCTIONS].map((f) => f + "()"))}`,
        );
      }
      if (close.kind !== "punct" || close.value !== ")") {
        throw this.error("LILY-E0508", `\`${name}()\` takes no arguments`, first.start, close.end);
      }
      this.calls.add(name);
      return {
        ast: { call: name as typeof FUNCTIONS[number] },
        type: "bool",
        start: first.start,
        end: close.end,
      };
    }
    const path = [name];
    let end = first.end;
    while (this.isPunct(".")) {
      this.next();
      const part = this.next();
      if (part.kind !== "ident") {
        throw this.error("LILY-E0506", "expected a name after `.`", part.start, part.end + 1);
      }
      path.push(part.value);
      end = part.end;
    }
    if (!ROOTS.includes(name)) {
      const guess = didYouMean(name, [...ROOTS, ...FUNCTIONS, "true", "false", "null"]);
      throw this.error(
        "LILY-E0507",
        `unknown name \`${path.join(".")}\``,
        first.start,
        end,
        guess
          ? `did you mean \`${guess}\`?`
          : "names start with `params.`, `vars.`, `env.` or `steps.<id>.outputs.`; strings need quotes",
      );
    }
    const type = this.scope.lookup(path);
    if (type === "secret") {
      throw this.error(
        "LILY-E0514",
        `\`${path.join(".")}\` is a secret and cannot steer a condition`,
        first.start,
        end,
        "secrets are only passed to steps as `type: secret` inputs",
      );
    }
    if (type === undefined) throw this.unknown(path, first.start, end);
    this.refs.push(path);
    return { ast: { ref: path }, type, start: first.start, end };
  }

  unknown(path: string[], start: number, end: number): LilyError {
    // Find the first segment that does not resolve, for the best message.
    const shape = path[0] === "steps"
      ? ["steps", "<id>", "outputs", "<name>"]
      : [path[0], "<name>"];
    if (path.length !== shape.length || (path[0] === "steps" && path[2] !== "outputs")) {
      return this.error(
        "LILY-E0507",
        `\`${path.join(".")}\` is not a valid name`,
        start,
        end,
        `write \`${shape.join(".")}\``,
      );
    }
    for (let i = 1; i < path.length; i++) {
      if (shape[i] === "outputs") continue;
      const known = this.scope.names(path.slice(0, i));
      if (!known.includes(path[i])) {
        const guess = didYouMean(path[i], known);
        const what = path[0] === "steps" && i === 1
          ? `step \`${path[1]}\` is not one this step needs (directly or not)`
          : `\`${path.slice(0, i + 1).join(".")}\` is not defined`;
        return this.error(
          "LILY-E0507",
          what,
          start,
          end,
          guess
            ? `did you mean \`${[...path.slice(0, i), guess].join(".")}\`?`
            : known.length
            ? `known here: ${listNames(known)}`
            : path[0] === "env"
            ? "declare it in the step's `env:` or `resources.env`"
            : undefined,
        );
      }
    }
    return this.error("LILY-E0507", `\`${path.join(".")}\` is not defined`, start, end);
  }
}
