/**
 * `printf FORMAT [ARG…]` as dash and bash print it: `%s %b %c %d %i %u %x %X %o %f %F %e %E
 * %g %G %%` with flags (`-+ #0`), width and precision (also `*`); integers are 64-bit (`%u`
 * and `%x` of a negative number wrap as in C); missing arguments are empty (0 for numbers);
 * the format is reused while arguments remain (as POSIX says). A number that does not
 * convert is reported and the status is 1; `%b`'s `\c` ends all output.
 * @module
 */
import { complain, writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

const encoder = new TextEncoder();

/** `\c` in a `%b` argument: stop all output here. */
class StopOutput extends Error {}

const DIRECTIVE =
  /%([-+ #0]*)(\d+|\*)?(?:\.(\*|\d*))?([a-zA-Z%])?|\\(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.?)/g;

/** The `printf` built-in. */
export const printfCommand: Builtin = async (ctx) => {
  if (ctx.args.length === 0) return complain(ctx, "printf", "usage: printf FORMAT [ARG…]", 2);
  const first = ctx.args[0] ?? "";
  if (first.length > 1 && first[0] === "-" && first !== "--") {
    return complain(ctx, "printf", `${first}: invalid option`, 2);
  }
  const all = first === "--" ? ctx.args.slice(1) : ctx.args;
  if (all.length === 0) return complain(ctx, "printf", "usage: printf FORMAT [ARG…]", 2);
  const [format, ...args] = all;
  let out = "";
  let status = 0;
  let used = 0;
  const problems: string[] = [];
  const nextArg = () => args[used++];
  try {
    do {
      const start = used;
      let last = 0;
      for (const m of format.matchAll(DIRECTIVE)) {
        out += format.slice(last, m.index);
        last = m.index! + m[0].length;
        const all = m[0];
        if (all[0] === "\\") {
          out += formatEscape(all);
          continue;
        }
        const [, flags, width, precision, conv] = m;
        if (conv === "%") {
          out += "%";
          continue;
        }
        if (conv === undefined || !/^[sbcdiuxXofFeEgG]$/.test(conv)) {
          await writeText(ctx.stdout, out);
          return complain(ctx, "printf", `${all}: invalid directive`, 1);
        }
        const starArg = (text: string) => {
          const n = integerOf(text ?? "", problems);
          return Number(n);
        };
        let w = width === "*" ? starArg(nextArg()) : width ? Number(width) : 0;
        let left = flags.includes("-");
        if (w < 0) {
          left = true;
          w = -w;
        }
        let p: number | undefined = precision === undefined
          ? undefined
          : precision === "*"
          ? starArg(nextArg())
          : Number(precision || "0");
        if (p !== undefined && p < 0) p = undefined;
        const arg = nextArg();
        let text: string;
        let numeric = false;
        switch (conv) {
          case "s":
            text = arg ?? "";
            if (p !== undefined) text = Array.from(text).slice(0, p).join("");
            break;
          case "b": {
            const { text: t, stop } = bEscapes(arg ?? "");
            text = p !== undefined ? Array.from(t).slice(0, p).join("") : t;
            if (stop) {
              out += pad(text, w, left, false);
              throw new StopOutput();
            }
            break;
          }
          case "c":
            text = arg === undefined ? "" : Array.from(arg)[0] ?? "\0";
            break;
          case "d":
          case "i":
          case "u":
          case "x":
          case "X":
          case "o": {
            numeric = p === undefined;
            let n = integerOf(arg ?? "", problems);
            if (conv !== "d" && conv !== "i") n = BigInt.asUintN(64, n);
            const negative = n < 0n;
            const base = conv === "x" || conv === "X" ? 16 : conv === "o" ? 8 : 10;
            let digits = (negative ? -n : n).toString(base);
            if (conv === "X") digits = digits.toUpperCase();
            if (p !== undefined) digits = p === 0 && n === 0n ? "" : digits.padStart(p, "0");
            if (flags.includes("#")) {
              if (conv === "o" && !digits.startsWith("0")) digits = "0" + digits;
              if (conv === "x" && n !== 0n) digits = "0x" + digits;
              if (conv === "X" && n !== 0n) digits = "0X" + digits;
            }
            const sign = negative
              ? "-"
              : (conv === "d" || conv === "i") && flags.includes("+")
              ? "+"
              : (conv === "d" || conv === "i") && flags.includes(" ")
              ? " "
              : "";
            text = sign + digits;
            break;
          }
          default: {
            numeric = true;
            const n = floatOf(arg ?? "", problems);
            const digits = p !== undefined ? p : 6;
            text = !Number.isFinite(n)
              ? (Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf")
              : conv === "f" || conv === "F"
              ? cFixed(n, Math.min(digits, 100))
              : conv === "e" || conv === "E"
              ? cExponential(n, Math.min(digits, 100))
              : cGeneral(n, Math.min(digits, 100), flags.includes("#"));
            if (conv === "E" || conv === "G" || conv === "F") text = text.toUpperCase();
            if (!text.startsWith("-")) {
              if (flags.includes("+")) text = "+" + text;
              else if (flags.includes(" ")) text = " " + text;
            }
          }
        }
        out += pad(text, w, left, numeric && flags.includes("0"));
      }
      out += format.slice(last);
      if (used === start) break;
    } while (used < args.length);
  } catch (error) {
    if (!(error instanceof StopOutput)) throw error;
  }
  await writeText(ctx.stdout, out);
  for (const problem of problems) {
    status = 1;
    await ctx.stderr.write(encoder.encode(`printf: ${problem}\n`));
  }
  return status;
};

/** Pads to `width` bytes of UTF-8, as C's printf counts. */
function pad(text: string, width: number, left: boolean, zeros: boolean): string {
  const length = encoder.encode(text).length;
  if (length >= width) return text;
  if (left) return text + " ".repeat(width - length);
  if (zeros) {
    const sign = /^[-+ ]/.test(text) ? text[0] : "";
    const prefix = /^[-+ ]?0[xX]/.test(text) ? sign.length + 2 : sign.length;
    return text.slice(0, prefix) + "0".repeat(width - length) + text.slice(prefix);
  }
  return " ".repeat(width - length) + text;
}

const SIMPLE: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  e: "\x1b",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** A backslash escape in the format: `\n`…, `\NNN` (octal), `\xHH` (bash). */
function formatEscape(all: string): string {
  const e = all.slice(1);
  if (e === "") return "\\";
  if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 255);
  if (e[0] === "x" && e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
  return SIMPLE[e] ?? all;
}

/** `%b`'s escapes: those of the format, octal as `\0NNN` or `\NNN`, and `\c` (stop). */
function bEscapes(arg: string): { text: string; stop: boolean } {
  let stop = false;
  let text = "";
  const re = /\\(0[0-7]{0,3}|[1-7][0-7]{0,2}|x[0-9a-fA-F]{1,2}|c|.?)/gs;
  let last = 0;
  for (const m of arg.matchAll(re)) {
    text += arg.slice(last, m.index);
    last = m.index! + m[0].length;
    const e = m[1];
    if (e === "c") {
      stop = true;
      return { text, stop };
    }
    if (/^[0-7]/.test(e)) text += String.fromCharCode(parseInt(e, 8) & 255);
    else if (e[0] === "x" && e.length > 1) text += String.fromCharCode(parseInt(e.slice(1), 16));
    else if (e === "") text += "\\";
    else text += SIMPLE[e] ?? m[0];
  }
  return { text: text + arg.slice(last), stop };
}

const MAX = (1n << 63n) - 1n;
const MIN = -(1n << 63n);

/** An integer argument (`12`, `-0x1f`, `017`, `'c`), clamped to 64 bits as C's strtoimax. */
function integerOf(arg: string, problems: string[]): bigint {
  if (/^['"]/.test(arg)) return BigInt(arg.codePointAt(1) ?? 0);
  const m = /^\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(arg);
  if (!m) {
    if (arg.trim() !== "") problems.push(`${arg}: invalid number`);
    return 0n;
  }
  if (m[0].length !== arg.length) problems.push(`${arg}: invalid number`);
  const digits = m[2];
  let n = /^0[xX]/.test(digits)
    ? BigInt(digits)
    : digits.length > 1 && digits[0] === "0"
    ? BigInt("0o" + digits.slice(1))
    : BigInt(digits);
  if (m[1] === "-") n = -n;
  if (n > MAX || n < MIN) {
    problems.push(`${arg}: Numerical result out of range`);
    return n > MAX ? MAX : MIN;
  }
  return n;
}

function floatOf(arg: string, problems: string[]): number {
  if (arg === "") return 0;
  if (/^['"]/.test(arg)) return arg.codePointAt(1) ?? 0;
  if (/^\s*[-+]?0[xX][0-9a-fA-F]+$/.test(arg)) return Number(BigInt(arg.trim().replace("+", "")));
  const m = /^\s*[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf(?:inity)?|nan)/i
    .exec(arg);
  if (!m) {
    problems.push(`${arg}: invalid number`);
    return 0;
  }
  if (m[0].length !== arg.length) problems.push(`${arg}: invalid number`);
  const t = m[0].trim().toLowerCase().replace(/^([-+]?)inf(inity)?$/, "$1Infinity");
  return t.endsWith("nan") ? NaN : Number(t);
}

/**
 * `%f` as C prints it: the double's exact value rounded half to even (`%.0f` of 2.5 is 2;
 * JavaScript's `toFixed` rounds such ties up).
 */
function cFixed(n: number, digits: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponent !== 0) mantissa |= 1n << 52n;
  const shift = (exponent === 0 ? 1 : exponent) - 1075;
  // |n| = mantissa * 2^shift; scaled = |n| * 10^digits = num / den.
  let num = mantissa * 10n ** BigInt(digits);
  let den = 1n;
  if (shift >= 0) num <<= BigInt(shift);
  else den <<= BigInt(-shift);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q++;
  let text = q.toString().padStart(digits + 1, "0");
  if (digits > 0) text = text.slice(0, -digits) + "." + text.slice(-digits);
  return (negative ? "-" : "") + text;
}

/** `%e` as C prints it: at least two exponent digits (`1.5e+03`). */
function cExponential(n: number, digits: number): string {
  return n.toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
}

/** `%g` as C prints it: `%e` for exponents below -4 or from the precision on, else `%f`;
 * trailing zeros removed unless `#`. */
function cGeneral(n: number, digits: number, keepZeros: boolean): string {
  const precision = digits === 0 ? 1 : digits;
  if (n === 0) return keepZeros ? (0).toFixed(precision - 1) : "0";
  const exponent = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(precision)))));
  let text = exponent < -4 || exponent >= precision
    ? cExponential(n, precision - 1)
    : n.toFixed(Math.max(0, precision - 1 - exponent));
  if (!keepZeros) {
    text = text.replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }
  return text;
}
