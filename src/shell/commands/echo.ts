/**
 * `echo [-n] [-e] words…`: prints its arguments separated by spaces. `-e` interprets `\n`,
 * `\t`, `\\` and `\c`; without it, backslashes are printed as they are (bash's default).
 * @module
 */
import { writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

/** The `echo` built-in. */
export const echoCommand: Builtin = async (ctx) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < ctx.args.length; i++) {
    const arg = ctx.args[i];
    if (!/^-[neE]+$/.test(arg)) break;
    for (const f of arg.slice(1)) {
      if (f === "n") newline = false;
      else if (f === "e") escapes = true;
      else escapes = false;
    }
  }
  let text = ctx.args.slice(i).join(" ");
  if (escapes) {
    const cut = text.indexOf("\\c");
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
    text = unescape(text);
  }
  await writeText(ctx.stdout, newline ? text + "\n" : text);
  return 0;
};

/** Backslash escapes as `echo -e` and `printf` read them. */
export function unescape(text: string): string {
  return text.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (all, e: string) => {
    switch (e[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "\\":
        return "\\";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "e":
        return "\x1b";
      case "0":
        return String.fromCharCode(parseInt(e.slice(1) || "0", 8));
      case "x":
        return String.fromCharCode(parseInt(e.slice(1), 16));
      default:
        return all;
    }
  });
}
