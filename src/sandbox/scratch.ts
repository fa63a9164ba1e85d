/**
 * Each attempt gets a private scratch and I/O directory. The run's scratch directory is split
 * per host (`<scratch>/h/<n>`): a host's mount namespace (linux.ts) and its Deno permissions
 * show only its own part, and a host runs one attempt at a time, in `<part>/a<id>` (its
 * `TMPDIR` and `$LILY_OUTPUT`), which is removed when the attempt has fully ended (its
 * processes are gone). The output file is then moved to where the engine reads it; a parallel
 * step, in another host, never sees the directory, so it can neither read its temporary files
 * nor forge its output.
 *
 * When the attempt left nothing behind (the usual case: its output moved, `tmp/` empty, both
 * still real directories of mode 0700) and its host has its own PID namespace (so
 * none of its processes is left to write there later), the directory is kept, empty, for the
 * host's next attempt instead of being removed and made again: four file-system metadata
 * operations less per step, which cost 0.3–5 ms on this project's ext4 depending on the load
 * (scripts/bench/step_costs_bench.ts). Anything else — a file, a link, a changed mode — and it is
 * removed as before.
 * @module
 */
import { join } from "node:path";
import type { ExecSpec } from "./execute.ts";

/** One host's part of the run's scratch directory. */
export interface ScratchPart {
  /** The host's command line with its own part in place of the run's scratch directory. */
  argv(template: string[]): string[];
  /**
   * Prepares attempt `id`: the spec it runs, and `finish()` once it has fully ended (`reuse`:
   * no process of the attempt can be left, so an empty directory may serve the next attempt).
   */
  attempt(
    id: number,
    spec: ExecSpec,
  ): Promise<{ spec: ExecSpec; finish(reuse?: boolean): Promise<void> }>;
}

/** The part of `scratch` for host number `n` (created). */
export async function privateScratch(scratch: string, n: number): Promise<ScratchPart> {
  const part = join(scratch, "h", String(n));
  await Deno.mkdir(part, { recursive: true, mode: 0o700 });
  const swap = (path: string) => path === scratch ? part : path;
  // An attempt directory the previous attempt left empty (see the module doc).
  let spare: string | undefined;
  return {
    argv(template) {
      return template.map((arg) => {
        if (arg === join(scratch, "h", "@HOST@")) return part;
        const flag = /^(--allow-(?:read|write)=)(.*)$/.exec(arg);
        return flag ? flag[1] + flag[2].split(",").map(swap).join(",") : arg;
      });
    },
    async attempt(id, spec) {
      let dir = spare;
      spare = undefined;
      if (dir === undefined) {
        dir = join(part, `a${id}`);
        await Deno.mkdir(join(dir, "tmp"), { recursive: true, mode: 0o700 });
      }
      const attemptDir = dir;
      const engineOutput = spec.env.LILY_OUTPUT;
      const output = join(attemptDir, "out");
      return {
        spec: {
          ...spec,
          env: { ...spec.env, TMPDIR: join(attemptDir, "tmp"), LILY_OUTPUT: output },
          readRoots: spec.readRoots.map(swap),
          writeRoots: spec.writeRoots.map(swap),
        },
        async finish(reuse = false) {
          // Moved, not copied: whatever the step left there (a FIFO, a link) reaches the engine
          // as it is, never opened here, and the engine's collection refuses what is not a
          // regular file with the reason.
          // Most steps write no output file: a synchronous look first spares them the
          // rename's trip through Deno's thread pool (0.3 ms a step on a busy machine).
          if (engineOutput && present(output)) {
            await Deno.rename(output, engineOutput).catch(() => {});
          }
          if (reuse && leftEmpty(attemptDir)) {
            spare = attemptDir;
            return;
          }
          await Deno.remove(attemptDir, { recursive: true }).catch(() => {});
        },
      };
    },
  };
}

/** Whether anything (of any type, a dangling link too) is at `path`. */
function present(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether an attempt directory is as it was made: holding only `tmp/`, which is empty, both
 * real directories (not links) of mode 0700. Synchronous: a few reads, which write nothing.
 */
function leftEmpty(dir: string): boolean {
  try {
    const plain = (path: string) => {
      const info = Deno.lstatSync(path);
      return info.isDirectory && (info.mode === null || (info.mode & 0o7777) === 0o700);
    };
    if (!plain(dir) || !plain(join(dir, "tmp"))) return false;
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name);
    if (names.length !== 1 || names[0] !== "tmp") return false;
    for (const _ of Deno.readDirSync(join(dir, "tmp"))) return false;
    return true;
  } catch {
    return false;
  }
}
