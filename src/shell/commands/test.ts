/**
 * `test EXPR` and `[ EXPR ]`: file tests (`-e -f -d -s -r -w -x -L -h -b -c -p -S -k -u -g`,
 * `-nt -ot -ef`; `-t` is always false: a step has no terminal), string tests (`-n -z = == !=`),
 * 64-bit integer comparisons (`-eq -ne -lt -le -gt -ge`), `!`, `-a`, `-o` and parentheses.
 * Status 0 true, 1 false, 2 for a malformed expression. File tests are subject to the read
 * policy like any other read.
 * @module
 */
import { complain } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin, BuiltinContext } from "../types.ts";

class TestSyntax extends Error {}

const UNARY_FILE = new Set([
  "-e",
  "-f",
  "-d",
  "-s",
  "-r",
  "-w",
  "-x",
  "-L",
  "-h",
  "-b",
  "-c",
  "-p",
  "-S",
  "-k",
  "-u",
  "-g",
]);
const BINARY = new Set([
  "=",
  "==",
  "!=",
  "-eq",
  "-ne",
  "-lt",
  "-le",
  "-gt",
  "-ge",
  "<",
  ">",
  "-nt",
  "-ot",
  "-ef",
]);

/** `test` and `[`. */
export function testCommand(bracket: boolean): Builtin {
  return async (ctx) => {
    let args = ctx.args;
    const name = bracket ? "[" : "test";
    if (bracket) {
      if (args[args.length - 1] !== "]") return complain(ctx, name, "missing `]'", 2);
      args = args.slice(0, -1);
    }
    try {
      // POSIX: with three arguments and `-a`/`-o` in the middle, it is the binary operator.
      if (args.length === 3 && (args[1] === "-a" || args[1] === "-o")) {
        const [l, r] = [args[0] !== "", args[2] !== ""];
        return (args[1] === "-a" ? l && r : l || r) ? 0 : 1;
      }
      const parser = new Expr(ctx, args);
      const value = args.length === 0 ? false : await parser.or();
      if (parser.i < args.length) throw new TestSyntax(`unexpected \`${args[parser.i]}'`);
      return value ? 0 : 1;
    } catch (error) {
      if (error instanceof TestSyntax) return complain(ctx, name, error.message, 2);
      throw error;
    }
  };
}

class Expr {
  i = 0;
  constructor(readonly ctx: BuiltinContext, readonly args: string[]) {}

  async or(): Promise<boolean> {
    let value = await this.and();
    while (this.args[this.i] === "-o") {
      this.i++;
      value = (await this.and()) || value;
    }
    return value;
  }

  async and(): Promise<boolean> {
    let value = await this.not();
    while (this.args[this.i] === "-a") {
      this.i++;
      value = (await this.not()) && value;
    }
    return value;
  }

  async not(): Promise<boolean> {
    if (this.args[this.i] === "!" && this.i + 1 < this.args.length) {
      this.i++;
      return !(await this.not());
    }
    return this.primary();
  }

  async primary(): Promise<boolean> {
    const a = this.args;
    const t = a[this.i];
    if (t === undefined) throw new TestSyntax("argument expected");
    if (t === "(" && a.length - this.i > 2) {
      this.i++;
      const value = await this.or();
      if (a[this.i] !== ")") throw new TestSyntax("missing `)'");
      this.i++;
      return value;
    }
    if (BINARY.has(a[this.i + 1]) && this.i + 2 < a.length) {
      const [l, op, r] = [t, a[this.i + 1], a[this.i + 2]];
      this.i += 3;
      switch (op) {
        case "=":
        case "==":
          return l === r;
        case "!=":
          return l !== r;
        case "<":
          return l < r;
        case ">":
          return l > r;
        case "-nt":
        case "-ot":
        case "-ef":
          return await compareFiles(this.ctx, op, l, r);
      }
      const x = integer(l), y = integer(r);
      switch (op) {
        case "-eq":
          return x === y;
        case "-ne":
          return x !== y;
        case "-lt":
          return x < y;
        case "-le":
          return x <= y;
        case "-gt":
          return x > y;
        default:
          return x >= y;
      }
    }
    if ((t === "-n" || t === "-z") && this.i + 1 < a.length) {
      this.i += 2;
      return t === "-n" ? a[this.i - 1] !== "" : a[this.i - 1] === "";
    }
    if (t === "-t" && this.i + 1 < a.length) {
      // A step has no terminal: no descriptor is one.
      this.i += 2;
      return false;
    }
    if (UNARY_FILE.has(t) && this.i + 1 < a.length) {
      this.i += 2;
      return await fileTest(this.ctx, t, a[this.i - 1]);
    }
    this.i++;
    return t !== "";
  }
}

function integer(text: string): bigint {
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new TestSyntax(`${text}: integer expression expected`);
  const n = BigInt(text.trim());
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw new TestSyntax(`${text}: out of range`);
  }
  return n;
}

/** `-nt` (newer than), `-ot` (older than), `-ef` (the same file). */
async function compareFiles(
  ctx: BuiltinContext,
  op: string,
  left: string,
  right: string,
): Promise<boolean> {
  const info = async (name: string) => {
    const path = ctx.shell.resolvePath(name);
    ctx.shell.checkRead(path);
    try {
      return await Deno.stat(path);
    } catch (error) {
      if (isPolicyError(error)) throw error;
      return undefined;
    }
  };
  const [a, b] = [await info(left), await info(right)];
  if (op === "-ef") return !!a && !!b && a.dev === b.dev && a.ino === b.ino;
  const time = (i: Deno.FileInfo | undefined) => i?.mtime?.getTime();
  const [x, y] = [time(a), time(b)];
  if (op === "-nt") return x !== undefined && (y === undefined || x > y);
  return y !== undefined && (x === undefined || x < y);
}

async function fileTest(ctx: BuiltinContext, op: string, name: string): Promise<boolean> {
  const path = ctx.shell.resolvePath(name);
  ctx.shell.checkRead(path);
  let stat: Deno.FileInfo;
  try {
    stat = op === "-L" || op === "-h" ? await Deno.lstat(path) : await Deno.stat(path);
  } catch (error) {
    if (isPolicyError(error)) throw error;
    return false;
  }
  switch (op) {
    case "-e":
      return true;
    case "-f":
      return stat.isFile;
    case "-d":
      return stat.isDirectory;
    case "-s":
      return stat.size > 0;
    case "-L":
    case "-h":
      return stat.isSymlink;
    case "-x":
      return stat.mode === null ? stat.isFile : (stat.mode & 0o111) !== 0;
    case "-b":
      return stat.isBlockDevice === true;
    case "-c":
      return stat.isCharDevice === true;
    case "-p":
      return stat.isFifo === true;
    case "-S":
      return stat.isSocket === true;
    case "-k":
      return stat.mode !== null && (stat.mode & 0o1000) !== 0;
    case "-u":
      return stat.mode !== null && (stat.mode & 0o4000) !== 0;
    case "-g":
      return stat.mode !== null && (stat.mode & 0o2000) !== 0;
    default:
      // -r / -w: the mode bits for the owner (a sandboxed step cannot ask the kernel).
      return stat.mode === null ? true : (stat.mode & (op === "-r" ? 0o444 : 0o222)) !== 0;
  }
}
