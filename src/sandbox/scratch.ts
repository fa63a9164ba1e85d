/**
 * Each attempt gets a private scratch and I/O directory. The run's scratch directory is split
 * per host (`<scratch>/h/<n>`): a host's mount namespace (linux.ts) and its Deno permissions
 * show only its own part, and a host runs one attempt at a time, in `<part>/a<id>` (its
 * `TMPDIR` and `$LILY_OUTPUT`), which is removed when the attempt has fully ended (its
 * processes are gone). The output file is then moved to where the engine reads it; a parallel
 * step, in another host, never sees the directory, so it can neither read its temporary files
 * nor forge its output.
 * @module
 */
import { join } from "node:path";
import type { ExecSpec } from "./execute.ts";

/** One host's part of the run's scratch directory. */
export interface ScratchPart {
  /** The host's command line with its own part in place of the run's scratch directory. */
  argv(template: string[]): string[];
  /** Prepares attempt `id`: the spec it runs, and `finish()` once it has fully ended. */
  attempt(id: number, spec: ExecSpec): Promise<{ spec: ExecSpec; finish(): Promise<void> }>;
}

/** The part of `scratch` for host number `n` (created). */
export async function privateScratch(scratch: string, n: number): Promise<ScratchPart> {
  const part = join(scratch, "h", String(n));
  await Deno.mkdir(part, { recursive: true, mode: 0o700 });
  const swap = (path: string) => path === scratch ? part : path;
  return {
    argv(template) {
      return template.map((arg) => {
        if (arg === join(scratch, "h", "@HOST@")) return part;
        const flag = /^(--allow-(?:read|write)=)(.*)$/.exec(arg);
        return flag ? flag[1] + flag[2].split(",").map(swap).join(",") : arg;
      });
    },
    async attempt(id, spec) {
      const dir = join(part, `a${id}`);
      await Deno.mkdir(join(dir, "tmp"), { recursive: true, mode: 0o700 });
      const engineOutput = spec.env.LILY_OUTPUT;
      const output = join(dir, "out");
      return {
        spec: {
          ...spec,
          env: { ...spec.env, TMPDIR: join(dir, "tmp"), LILY_OUTPUT: output },
          readRoots: spec.readRoots.map(swap),
          writeRoots: spec.writeRoots.map(swap),
        },
        async finish() {
          // Moved, not copied: whatever the step left there (a FIFO, a link) reaches the engine
          // as it is, never opened here, and the engine's collection refuses what is not a
          // regular file with the reason.
          if (engineOutput) await Deno.rename(output, engineOutput).catch(() => {});
          await Deno.remove(dir, { recursive: true }).catch(() => {});
        },
      };
    },
  };
}
