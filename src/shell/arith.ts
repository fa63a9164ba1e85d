/**
 * Arithmetic expansion, `$(( … ))`: integers, variables by name, C operators with C precedence
 * (unary `+ - ! ~`, `* / %`, `+ -`, `<< >>`, comparisons, `== !=`, `& ^ |`, `&& ||`, `?:`) and
 * assignments (`= += -= *= /= %=`). Division by zero is an error, as in every shell.
 * @module
 */

/** An arithmetic error (syntax, division by zero). */
export class ArithError extends Error {}

/** Reads and writes shell variables for the expression. */
export interface ArithScope {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/**
 * Evaluates an already expanded arithmetic expression.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { evaluateArith } from "./arith.ts";
 * const vars = new Map([["n", "4"]]);
 * const scope = { get: (k: string) => vars.get(k), set: (k: string, v: string) => void vars.set(k, v) };
 * assert(evaluateArith("n * 2 + 1", scope) === 9);
 * ```
 */
export function evaluateArith(text: string, scope: ArithScope, depth = 0): number {
  if (depth > 16) throw new ArithError("variables refer to each other too deeply");
  const tokens = text.match(
    /\s+|0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_]*|<<=|>>=|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|[-+*/%<>=!~&^|?:()]|./g,
  ) ??
    [];
  const toks = tokens.filter((t) => !/^\s+$/.test(t));
  let i = 0;
  // Inside the side an `&&`, `||` or `?:` does not take: parsed, but not evaluated (no
  // assignment, no division error), as in C and every shell.
  let skip = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];

  const valueOf = (name: string): number => {
    const raw = scope.get(name);
    if (raw === undefined || raw.trim() === "") return 0;
    if (/^\s*[-+]?\d+\s*$/.test(raw)) return Number(raw);
    return evaluateArith(raw, scope, depth + 1);
  };
  const int = (n: number) => {
    if (!Number.isFinite(n)) throw new ArithError("result is out of range");
    return Math.trunc(n);
  };

  const BINARY: [string[], (a: number, b: number) => number][] = [
    [["||"], (a, b) => (a || b ? 1 : 0)],
    [["&&"], (a, b) => (a && b ? 1 : 0)],
    [["|"], (a, b) => a | b],
    [["^"], (a, b) => a ^ b],
    [["&"], (a, b) => a & b],
    [["==", "!="], () => 0],
    [["<", "<=", ">", ">="], () => 0],
    [["<<", ">>"], () => 0],
    [["+", "-"], () => 0],
    [["*", "/", "%"], () => 0],
  ];
  const apply = (op: string, a: number, b: number): number => {
    switch (op) {
      case "||":
        return a || b ? 1 : 0;
      case "&&":
        return a && b ? 1 : 0;
      case "|":
        return a | b;
      case "^":
        return a ^ b;
      case "&":
        return a & b;
      case "==":
        return a === b ? 1 : 0;
      case "!=":
        return a !== b ? 1 : 0;
      case "<":
        return a < b ? 1 : 0;
      case "<=":
        return a <= b ? 1 : 0;
      case ">":
        return a > b ? 1 : 0;
      case ">=":
        return a >= b ? 1 : 0;
      case "<<":
        return a << b;
      case ">>":
        return a >> b;
      case "+":
        return int(a + b);
      case "-":
        return int(a - b);
      case "*":
        return int(a * b);
      case "/":
      case "%":
        if (b === 0) {
          if (skip) return 0;
          throw new ArithError("division by 0");
        }
        return op === "/" ? Math.trunc(a / b) : a % b;
      case "**":
        return int(a ** b);
    }
    throw new ArithError(`unknown operator \`${op}\``);
  };

  const binary = (level: number): number => {
    if (level >= BINARY.length) return power();
    let left = binary(level + 1);
    while (BINARY[level][0].includes(peek())) {
      const op = next();
      const short = (op === "&&" && !left) || (op === "||" && left !== 0);
      if (short) skip++;
      const right = binary(level + 1);
      if (short) {
        skip--;
        left = op === "&&" ? 0 : 1;
      } else left = apply(op, left, right);
    }
    return left;
  };
  const power = (): number => {
    const base = unary();
    if (peek() === "**") {
      next();
      return apply("**", base, power());
    }
    return base;
  };
  const unary = (): number => {
    const t = peek();
    if (t === "-" || t === "+" || t === "!" || t === "~") {
      next();
      const v = unary();
      return t === "-" ? -v : t === "+" ? v : t === "!" ? (v ? 0 : 1) : ~v;
    }
    return primary();
  };
  const primary = (): number => {
    const t = next();
    if (t === undefined) throw new ArithError("an operand is missing");
    if (t === "(") {
      const v = expression();
      if (next() !== ")") throw new ArithError("a `)` is missing");
      return v;
    }
    if (/^0[xX]/.test(t)) return parseInt(t, 16);
    if (/^0\d+$/.test(t)) {
      if (/[89]/.test(t)) throw new ArithError(`\`${t}\` is not an octal number`);
      return parseInt(t, 8);
    }
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      const op = peek();
      if (op === "=" || /^[-+*/%&^|]=$/.test(op ?? "") || op === "<<=" || op === ">>=") {
        next();
        const rhs = expression();
        const value = op === "=" ? rhs : apply(op.slice(0, -1), valueOf(t), rhs);
        if (!skip) scope.set(t, String(value));
        return value;
      }
      return valueOf(t);
    }
    throw new ArithError(`unexpected \`${t}\``);
  };
  const expression = (): number => {
    const cond = binary(0);
    if (peek() !== "?") return cond;
    next();
    if (!cond) skip++;
    const a = expression();
    if (!cond) skip--;
    if (next() !== ":") throw new ArithError("`?` needs `:`");
    if (cond) skip++;
    const b = expression();
    if (cond) skip--;
    return cond ? a : b;
  };

  if (toks.length === 0) return 0;
  const result = expression();
  if (i < toks.length) throw new ArithError(`unexpected \`${toks[i]}\``);
  return result;
}
