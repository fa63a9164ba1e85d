/**
 * `printf FORMAT [ARG…]`: `%s %d %i %u %x %X %o %c %f %e %g %b %%` with flags, width and
 * precision; the format is reused while arguments remain (as POSIX says).
 * @module
 */
import { complain, writeText } from "./_io.ts";
import { unescape } from "./echo.ts";
import type { Builtin } from "../types.ts";

/** The `printf` built-in. */
export const printfCommand: Builtin = async (ctx) => {
  if (ctx.args.length === 0) return complain(ctx, "printf", "usage: printf FORMAT [ARG…]", 2);
  const [format, ...args] = ctx.args;
  let out = "";
  let status = 0;
  let used = 0;
  do {
    const start = used;
    out += format.replace(
      /%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?([sdiuxXocfeEgGb%])|\\(?:0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g,
      (all, flags: string, width: string, precision: string, conv: string) => {
        if (all[0] === "\\") return unescape(all);
        if (conv === "%") return "%";
        const w = width === "*" ? Number(args[used++] ?? 0) : width ? Number(width) : 0;
        const p = precision === "*" ? Number(args[used++] ?? 0) : precision;
        const arg = args[used++] ?? "";
        let text: string;
        switch (conv) {
          case "s":
            text = p !== undefined ? arg.slice(0, Number(p)) : arg;
            break;
          case "b":
            text = unescape(arg);
            break;
          case "c":
            text = arg.slice(0, 1);
            break;
          case "d":
          case "i":
          case "u":
          case "x":
          case "X":
          case "o": {
            let n = numberOf(arg);
            if (Number.isNaN(n)) {
              status = 1;
              n = 0;
              ctx.stderr.write(new TextEncoder().encode(`printf: ${arg}: invalid number\n`));
            }
            n = Math.trunc(n);
            const base = conv === "x" || conv === "X" ? 16 : conv === "o" ? 8 : 10;
            text = Math.abs(n).toString(base);
            if (conv === "X") text = text.toUpperCase();
            if (p !== undefined) text = text.padStart(Number(p), "0");
            if (n < 0) text = "-" + text;
            else if (flags.includes("+")) text = "+" + text;
            else if (flags.includes(" ")) text = " " + text;
            break;
          }
          default: {
            const n = numberOf(arg);
            const digits = p !== undefined ? Number(p) : 6;
            text = conv === "f"
              ? n.toFixed(digits)
              : conv === "e" || conv === "E"
              ? cExponential(n, digits)
              : cGeneral(n, digits, flags.includes("#"));
            if (conv === "E" || conv === "G") text = text.toUpperCase();
          }
        }
        if (text.length < w) {
          if (flags.includes("-")) text = text.padEnd(w);
          else if (flags.includes("0") && /[diuxXofeEgG]/.test(conv)) {
            const sign = /^[-+ ]/.test(text) ? text[0] : "";
            text = sign + text.slice(sign.length).padStart(w - sign.length, "0");
          } else text = text.padStart(w);
        }
        return text;
      },
    );
    if (used === start) break;
  } while (used < args.length);
  await writeText(ctx.stdout, out);
  return status;
};

/** `%e` as C prints it: at least two exponent digits (`1.5e+03`). */
function cExponential(n: number, digits: number): string {
  return n.toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
}

/** `%g` as C prints it: `%e` for exponents below -4 or from the precision on, else `%f`;
 * trailing zeros removed unless `#`. */
function cGeneral(n: number, digits: number, keepZeros: boolean): string {
  const precision = digits === 0 ? 1 : digits;
  if (n === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(Number(n.toPrecision(precision)))));
  let text = exponent < -4 || exponent >= precision
    ? cExponential(n, precision - 1)
    : n.toFixed(Math.max(0, precision - 1 - exponent));
  if (!keepZeros) {
    text = text.replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
  }
  return text;
}

function numberOf(arg: string): number {
  if (arg === "") return 0;
  if (/^['"]/.test(arg)) return arg.codePointAt(1) ?? 0;
  if (/^[-+]?0x[0-9a-f]+$/i.test(arg)) return parseInt(arg, 16);
  return Number(arg);
}
