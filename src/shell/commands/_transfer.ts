/**
 * What `cp` and `mv` share: `SRC… DEST` operands (into DEST when it is a directory, which it
 * must be for several sources), the policy checks on every source and target, and the error
 * of one source not stopping the others.
 * @module
 */
import { basename, join } from "node:path";
import { complain, fsMessage, splitFlags } from "./_io.ts";
import { isPolicyError } from "../types.ts";
import type { Builtin, BuiltinContext } from "../types.ts";

/** Whether `path` is a directory (false when it is missing or unreadable). */
export async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (error) {
    if (isPolicyError(error)) throw error;
    return false;
  }
}

/** One source to move or copy, its policy already checked. */
export interface Transfer {
  ctx: BuiltinContext;
  /** Absolute paths. */
  from: string;
  to: string;
  /** The source as the script wrote it (for messages). */
  source: string;
  flags: Set<string>;
}

/**
 * A `cp`-like built-in: `transfer` does one source and returns its status; a file-system error
 * it throws is reported as `name: source: message` (status 1) and the next source goes on.
 */
export function transferCommand(
  name: string,
  knownFlags: string,
  transfer: (job: Transfer) => Promise<number>,
): Builtin {
  return async (ctx) => {
    const { flags, operands, bad } = splitFlags(ctx.args, knownFlags);
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
      try {
        const done = await transfer({ ctx, from, to, source, flags });
        if (done !== 0) status = done;
      } catch (error) {
        if (isPolicyError(error)) throw error;
        status = await complain(ctx, name, fsMessage(error, source));
      }
    }
    return status;
  };
}
