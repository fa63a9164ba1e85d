/**
 * Arithmetic expansion, `$(( … ))`, in 64-bit signed integers that wrap around as in dash and
 * bash: numbers (decimal, `0x` hex, `0` octal), variables by name (holding a number, as dash
 * requires), C operators with C precedence (unary `+ - ! ~`,
 * `++`/`--`, `**` (bash), `* / %`, `+ -`, `<< >>`, comparisons, `== !=`, `& ^ |`, `&& ||`,
 * `?:`, assignments `= += -= *= /= %= <<= >>= &= ^= |=` and `,`). Division by zero is an
 * error, as in every shell.
 * @module
 */

/** An arithmetic error (syntax, division by zero). */
export class ArithError extends Error {}

/** Reads and writes shell variables for the expression. */
export interface ArithScope {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/** Parentheses and unary operators nested in one expression (deeper is an error, not a crash). */
const MAX_NESTING = 256;

const wrap = (n: bigint) => BigInt.asIntN(64, n);

/** A numeric constant (`12`, `0x1f`, `017`), wrapped to 64 bits; undefined if `t` is not one. */
function constant(t: string): bigint | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return wrap(BigInt(t));
  if (/^0[0-7]+$/.test(t)) return wrap(BigInt("0o" + t.slice(1)));
  if (/^\d+$/.test(t)) {
    if (/^0/.test(t) && t !== "0") throw new ArithError(`\`${t}\` is not an octal number`);
    return wrap(BigInt(t));
  }
  return undefined;
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
 * assert(evaluateArith("n * 2 + 1", scope) === 9n);
 * ```
 */
export function evaluateArith(text: string, scope: ArithScope): bigint {
  const raw = text.match(
    /\s+|0[xX][0-9a-fA-F]+|\d+[A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|[-+*/%<>=!~&^|?:(),]|./g,
  ) ?? [];
  const words = raw.filter((t) => !/^\s+$/.test(t));
  // `++`/`--` increment only next to a name; elsewhere they are two signs (`5--3` is 8).
  const toks: string[] = [];
  words.forEach((t, k) => {
    if (t !== "++" && t !== "--") return void toks.push(t);
    const before = toks[toks.length - 1];
    const after = words[k + 1];
    const isName = (s: string | undefined) => s !== undefined && /^[A-Za-z_]/.test(s);
    if (isName(before) || (!/^[\d)]/.test(before ?? "") && isName(after))) toks.push(t);
    else toks.push(t[0], t[0]);
  });
  let i = 0;
  let nesting = 0;
  // Inside the side an `&&`, `||` or `?:` does not take: parsed, but not evaluated (no
  // assignment, no division error), as in C and every shell.
  let skip = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const deeper = () => {
    if (++nesting > MAX_NESTING) {
      throw new ArithError(`the expression nests deeper than ${MAX_NESTING} levels`);
    }
  };

  const valueOf = (name: string): bigint => {
    if (skip) return 0n;
    const value = scope.get(name);
    if (value === undefined) return 0n;
    const trimmed = value.trim();
    if (trimmed === "") return 0n;
    // As dash: a variable must hold a number (bash would evaluate `1+2` as an expression).
    const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(trimmed);
    if (!m) throw new ArithError(`Illegal number: ${value}`);
    const n = constant(m[2])!;
    return m[1] === "-" ? wrap(-n) : n;
  };
  const assign = (name: string, value: bigint) => {
    if (!skip) scope.set(name, String(value));
    return value;
  };

  const apply = (op: string, a: bigint, b: bigint): bigint => {
    switch (op) {
      case "||":
        return a || b ? 1n : 0n;
      case "&&":
        return a && b ? 1n : 0n;
      case "|":
        return a | b;
      case "^":
        return a ^ b;
      case "&":
        return a & b;
      case "==":
        return a === b ? 1n : 0n;
      case "!=":
        return a !== b ? 1n : 0n;
      case "<":
        return a < b ? 1n : 0n;
      case "<=":
        return a <= b ? 1n : 0n;
      case ">":
        return a > b ? 1n : 0n;
      case ">=":
        return a >= b ? 1n : 0n;
      case "<<":
        return wrap(a << (b & 63n));
      case ">>":
        return a >> (b & 63n);
      case "+":
        return wrap(a + b);
      case "-":
        return wrap(a - b);
      case "*":
        return wrap(a * b);
      case "/":
      case "%":
        if (b === 0n) {
          if (skip) return 0n;
          throw new ArithError("division by 0");
        }
        return op === "/" ? wrap(a / b) : wrap(a % b);
      case "**": {
        if (b < 0n) {
          if (skip) return 0n;
          throw new ArithError("exponent less than 0");
        }
        let result = 1n;
        let base = a;
        let e = b;
        while (e > 0n) {
          if (e & 1n) result = wrap(result * base);
          base = wrap(base * base);
          e >>= 1n;
        }
        return result;
      }
    }
    throw new ArithError(`unknown operator \`${op}\``);
  };

  const LEVELS: string[][] = [
    ["||"],
    ["&&"],
    ["|"],
    ["^"],
    ["&"],
    ["==", "!="],
    ["<", "<=", ">", ">="],
    ["<<", ">>"],
    ["+", "-"],
    ["*", "/", "%"],
  ];

  const binary = (level: number): bigint => {
    if (level >= LEVELS.length) return power();
    let left = binary(level + 1);
    while (LEVELS[level].includes(peek())) {
      const op = next();
      const short = (op === "&&" && !left) || (op === "||" && left !== 0n);
      if (short) skip++;
      const right = binary(level + 1);
      if (short) {
        skip--;
        left = op === "&&" ? 0n : 1n;
      } else left = apply(op, left, right);
    }
    return left;
  };
  const power = (): bigint => {
    const base = unary();
    if (peek() === "**") {
      next();
      deeper();
      const exponent = power();
      nesting--;
      return apply("**", base, exponent);
    }
    return base;
  };
  const unary = (): bigint => {
    const t = peek();
    if (t === "++" || t === "--") {
      next();
      const name = next();
      return assign(name, wrap(valueOf(name) + (t === "++" ? 1n : -1n)));
    }
    if (t === "-" || t === "+" || t === "!" || t === "~") {
      next();
      deeper();
      const v = unary();
      nesting--;
      return t === "-" ? wrap(-v) : t === "+" ? v : t === "!" ? (v ? 0n : 1n) : ~v;
    }
    return primary();
  };
  const primary = (): bigint => {
    const t = next();
    if (t === undefined) throw new ArithError("an operand is missing");
    if (t === "(") {
      deeper();
      const v = comma();
      nesting--;
      if (next() !== ")") throw new ArithError("a `)` is missing");
      return v;
    }
    const n = constant(t);
    if (n !== undefined) return n;
    if (/^\d/.test(t)) throw new ArithError(`\`${t}\` is not a number`);
    if (/^[A-Za-z_]/.test(t)) {
      const op = peek();
      if (op === "++" || op === "--") {
        next();
        const old = valueOf(t);
        assign(t, wrap(old + (op === "++" ? 1n : -1n)));
        return old;
      }
      if (op === "=" || /^(?:[-+*/%&^|]|<<|>>)=$/.test(op ?? "")) {
        next();
        deeper();
        const rhs = assignment();
        nesting--;
        const value = op === "=" ? rhs : apply(op.slice(0, -1), valueOf(t), rhs);
        return assign(t, value);
      }
      return valueOf(t);
    }
    throw new ArithError(`unexpected \`${t}\``);
  };
  const assignment = (): bigint => {
    const cond = binary(0);
    if (peek() !== "?") return cond;
    next();
    deeper();
    if (!cond) skip++;
    const a = comma();
    if (!cond) skip--;
    if (next() !== ":") throw new ArithError("`?` needs `:`");
    if (cond) skip++;
    const b = assignment();
    if (cond) skip--;
    nesting--;
    return cond ? a : b;
  };
  const comma = (): bigint => {
    let value = assignment();
    while (peek() === ",") {
      next();
      value = assignment();
    }
    return value;
  };

  if (toks.length === 0) return 0n;
  const result = comma();
  if (i < toks.length) throw new ArithError(`unexpected \`${toks[i]}\``);
  return result;
}
