/**
 * `cp [-r] SRC… DEST` and `mv SRC… DEST`: into DEST when it is a directory.
 * @module
 */
import { basename, join } from "node:path";
import { complain, fsMessage, splitFlags } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin, BuiltinContext } from "../types.ts";

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (isPolicyError(error)) throw error;
    return false;
  }
}

async function copyTree(ctx: BuiltinContext, from: string, to: string): Promise<void> {
  ctx.shell.checkRead(from);
  ctx.shell.checkWrite(to);
  const stat = await Deno.lstat(from);
  if (stat.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      await copyTree(ctx, join(from, entry.name), join(to, entry.name));
    }
  } else if (stat.isSymlink) {
    await Deno.copyFile(await Deno.realPath(from), to);
  } else {
    await Deno.copyFile(from, to);
  }
}

function transfer(name: "cp" | "mv"): Builtin {
  return async (ctx) => {
    const { flags, operands, bad } = splitFlags(ctx.args, name === "cp" ? "rRpfv" : "fv");
    if (bad) return complain(ctx, name, `unknown option ${bad}`, 2);
    if (operands.length < 2) return complain(ctx, name, "missing destination", 2);
    const dest = ctx.shell.resolvePath(operands[operands.length - 1]);
    ctx.shell.checkWrite(dest);
    const sources = operands.slice(0, -1);
    const intoDir = await isDir(dest);
    if (sources.length > 1 && !intoDir) {
      return complain(ctx, name, `target '${operands[operands.length - 1]}' is not a directory`);
    }
    let status = 0;
    for (const source of sources) {
      const from = ctx.shell.resolvePath(source);
      const to = intoDir ? join(dest, basename(from)) : dest;
      ctx.shell.checkRead(from);
      ctx.shell.checkWrite(to);
      if (name === "mv") ctx.shell.checkWrite(from);
      try {
        if (name === "mv") await Deno.rename(from, to);
        else if (await isDir(from)) {
          if (!flags.has("r") && !flags.has("R")) {
            status = await complain(ctx, name, `-r not specified; omitting directory '${source}'`);
            continue;
          }
          await copyTree(ctx, from, to);
        } else await Deno.copyFile(from, to);
      } catch (error) {
        if (isPolicyError(error)) throw error;
        status = await complain(ctx, name, fsMessage(error, source));
      }
    }
    return status;
  };
}

/** The `cp` built-in. */
export const cpCommand: Builtin = transfer("cp");
/** The `mv` built-in. */
export const mvCommand: Builtin = transfer("mv");
