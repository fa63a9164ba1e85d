/**
 * `mv SRC… DEST`: renames, into DEST when it is a directory. The source must be writable too
 * (it disappears).
 * @module
 */
import { transferCommand } from "./_transfer.ts";
import type { Builtin } from "../types.ts";

/** The `mv` built-in. */
export const mvCommand: Builtin = transferCommand("mv", "fv", async (job) => {
  job.ctx.shell.checkWrite(job.from);
  await Deno.rename(job.from, job.to);
  return 0;
});
