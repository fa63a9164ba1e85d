/** Helpers for run tests: a project with a lock, a spawned `lily run` to signal. */
import { denoDir, lily, tempProject } from "../_tools.ts";

/** Creates a project from files, composes `flow.petal`, returns its dir. */
export async function project(
  files: Record<string, string>,
  params: string[] = [],
): Promise<string> {
  const dir = await tempProject(files);
  const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", ...params], {
    cwd: dir,
  });
  if (out.code !== 0) throw new Error(`compose failed:\n${out.stderr}`);
  return dir;
}

/** Starts `lily run` without waiting (to signal it). */
export function spawnRun(dir: string, args: string[] = []): Deno.ChildProcess {
  return spawnLily(dir, ["run", "flow.lock.yaml", ...args]);
}

/** Starts any `lily` command without waiting (to read its output as it comes). */
export function spawnLily(dir: string, args: string[]): Deno.ChildProcess {
  const mod = new URL("../../mod.ts", import.meta.url).pathname;
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", mod, ...args],
    cwd: dir,
    env: {
      RUST_BACKTRACE: "0",
      NO_COLOR: "1",
      XDG_CACHE_HOME: `${dir}/.xdg`,
      DENO_DIR: denoDir(),
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Starts `lily run` as the leader of a new session and process group (as a shell does for a
 * foreground job), so that `kill -INT -PGID` reaches Lily and every process it started, as
 * Ctrl-C in a terminal does. Returns the child and its process group id.
 */
export function spawnGroup(
  dir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): { child: Deno.ChildProcess; pgid: number } {
  const mod = new URL("../../mod.ts", import.meta.url).pathname;
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "run", "-A", "--no-check", mod, "run", "flow.lock.yaml", ...args],
    cwd: dir,
    env: {
      RUST_BACKTRACE: "0",
      NO_COLOR: "1",
      XDG_CACHE_HOME: `${dir}/.xdg`,
      DENO_DIR: denoDir(),
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // setsid execs in place (its parent is not a group leader): the child leads its group.
  return { child, pgid: child.pid };
}

/** Sends `signal` to every process of group `pgid` (`kill -SIG -PGID`), which must exist. */
export function killGroup(pgid: number, signal: Deno.Signal): void {
  const stat = Deno.readTextFileSync(`/proc/${pgid}/stat`);
  const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  if (group !== pgid) throw new Error(`process ${pgid} leads group ${group}, not its own`);
  Deno.kill(-pgid, signal);
}

/** Waits until `predicate` holds (polling), or fails after `ms`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  ms = 20_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The events of the newest run (or [] if none yet). */
export function latestEvents(dir: string): Record<string, unknown>[] {
  try {
    const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
    const text = Deno.readTextFileSync(`${dir}/.lily/runs/${runs[runs.length - 1]}/events.jsonl`);
    return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}

/** The manifest of the newest run. */
// deno-lint-ignore no-explicit-any
export function latestManifest(dir: string): Record<string, any> {
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  return JSON.parse(
    Deno.readTextFileSync(`${dir}/.lily/runs/${runs[runs.length - 1]}/manifest.json`),
  );
}

/** Runs `lily run` to completion. */
export function run(dir: string, args: string[] = []) {
  return lily(["run", "flow.lock.yaml", ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: `${dir}/.xdg` },
  });
}

/** Every file under a directory (relative paths). */
export function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) out.push(...filesUnder(`${dir}/${e.name}`, rel));
      else out.push(rel);
    }
  } catch {
    // missing
  }
  return out;
}

/** Pids of processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(marker) && !cmd.includes("deno")) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}
