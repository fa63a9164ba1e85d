/**
 * `cp [-r] SRC… DEST`: copies files (trees with `-r`), into DEST when it is a directory. Every
 * file of a tree is checked against the policy, and a symlink is copied as the file it points
 * to (so a link leading outside the roots is refused, not copied).
 * @module
 */
import { join } from "node:path";
import { complain } from "./_io.ts";
import { isDir, transferCommand } from "./_transfer.ts";
import type { Builtin, BuiltinContext } from "../types.ts";

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

/** The `cp` built-in. */
export const cpCommand: Builtin = transferCommand("cp", "rRpfv", async (job) => {
  if (!(await isDir(job.from))) {
    await Deno.copyFile(job.from, job.to);
    return 0;
  }
  if (!job.flags.has("r") && !job.flags.has("R")) {
    return await complain(job.ctx, "cp", `-r not specified; omitting directory '${job.source}'`);
  }
  await copyTree(job.ctx, job.from, job.to);
  return 0;
});
