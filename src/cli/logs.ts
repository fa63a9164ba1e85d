/**
 * `lily logs RUN [STEP] [-f]`: prints a run's step logs as stored (secrets already masked),
 * and with `-f` follows them while the run goes on. Reads only `.lily/runs/<id>/`.
 * @module
 */
import { join, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import { pickRun } from "./_run_id.ts";
import type { Manifest } from "../schema/events.ts";
import { command, parse } from "./_common.ts";
import { projectRootFrom } from "./_project_root.ts";

/** How often `-f` looks for new bytes, new logs and the run's end. */
const FOLLOW_POLL_MS = 100;

/** Runs `lily logs`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "logs",
    "Print the logs of a run's steps (all steps, or one), as stored: secrets masked. With -f,\n" +
      "keep printing what the steps write until the run ends.",
    `  lily logs latest
  lily logs latest encode            # one step (every attempt)
  lily logs 20261124T1015 encode -f  # follow a running step`,
  )
    .argument("<run>", "run id (or a prefix, or `latest`)")
    .argument("[step]", "only this step's logs")
    .option("-f, --follow", "keep printing new output until the run ends")
    .option("--project <dir>", "project root (default: found from the current directory up)");
  if (!await parse(program, args)) return 0;
  const [runArg, step] = program.args;
  const opts = program.opts<{ follow?: boolean; project?: string }>();
  const runsDir = join(
    opts.project ? resolve(opts.project) : projectRootFrom(Deno.cwd()),
    ".lily",
    "runs",
  );
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(runsDir)) if (e.isDirectory) ids.push(e.name);
  } catch {
    // no runs
  }
  ids.sort().reverse();
  const runId = pickRun(ids, runArg, "lily logs");
  if (!runId) {
    throw new LilyError("LILY-E0804", `no run \`${runArg}\``, {
      flag: `lily logs ${runArg}`,
      hint: ids.length ? "list runs with `lily runs`" : "no run has been recorded in this project",
    });
  }
  const runDir = join(runsDir, runId);
  const manifest = readManifest(runDir);
  if (step !== undefined && manifest && !manifest.steps[step] && !/running/.test(manifest.status)) {
    const { didYouMean } = await import("../errors.ts");
    const steps = Object.keys(manifest.steps);
    const guess = didYouMean(step, steps);
    throw new LilyError("LILY-E0832", `run \`${runId}\` has no step \`${step}\``, {
      flag: `lily logs ${runArg} ${step}`,
      hint: `${guess ? `did you mean \`${guess}\`? ` : ""}steps: ${steps.join(", ")}`,
    });
  }
  const offsets = new Map<string, number>();
  let lastShown = "";
  const out = (bytes: Uint8Array) => {
    let written = 0;
    while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
  };
  /** Prints what is new in every log of interest; true when something was printed. */
  const drain = (): boolean => {
    let printed = false;
    for (const name of logNames(runDir, step)) {
      const path = join(runDir, "logs", name);
      const from = offsets.get(name) ?? 0;
      let bytes: Uint8Array;
      try {
        const file = Deno.openSync(path, { read: true });
        try {
          const size = file.statSync().size;
          if (size <= from) continue;
          file.seekSync(from, Deno.SeekMode.Start);
          bytes = new Uint8Array(size - from);
          let read = 0;
          while (read < bytes.length) {
            const n = file.readSync(bytes.subarray(read));
            if (n === null) break;
            read += n;
          }
          bytes = bytes.subarray(0, read);
        } finally {
          file.close();
        }
      } catch {
        continue;
      }
      offsets.set(name, from + bytes.length);
      if (step === undefined && lastShown !== name) {
        const [id, attempt] = splitLogName(name);
        out(new TextEncoder().encode(`── ${id}${attempt > 1 ? ` (attempt ${attempt})` : ""}\n`));
      }
      lastShown = name;
      out(bytes);
      printed = true;
    }
    return printed;
  };
  drain();
  if (!opts.follow) return 0;
  for (;;) {
    const m = readManifest(runDir);
    const ended = m !== undefined && m.status !== "running";
    const printed = drain();
    if (ended && !printed) return 0;
    if (!printed) await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

function readManifest(runDir: string): Manifest | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(join(runDir, "manifest.json")));
  } catch {
    return undefined;
  }
}

/** `<step>.<attempt>.log` → [step, attempt]. */
function splitLogName(name: string): [string, number] {
  const m = /^(.*)\.(\d+)\.log$/.exec(name);
  return m ? [m[1], Number(m[2])] : [name, 1];
}

/** The run's log files, by step then attempt; only `step`'s when given. */
function logNames(runDir: string, step: string | undefined): string[] {
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(join(runDir, "logs"))) if (e.isFile) names.push(e.name);
  } catch {
    return [];
  }
  const safe = step?.replace(/[^A-Za-z0-9_.-]/g, "_");
  return names
    .filter((n) => safe === undefined || splitLogName(n)[0] === safe)
    .sort((a, b) => {
      const [sa, na] = splitLogName(a);
      const [sb, nb] = splitLogName(b);
      return sa < sb ? -1 : sa > sb ? 1 : na - nb;
    });
}
