/**
 * A pinned program's version line, taken by `lily sync` (never by compose): the program runs
 * with `--version` (then `-V`, then `-version`) in an empty temporary directory, inside the sandbox hosts use
 * (no network; with bubblewrap it sees only the system directories, itself and that
 * directory), under a timeout that kills everything it started. Where this machine cannot
 * confine it that way, the program is not started at all.
 * @module
 */
import { confinedPrefix } from "./confine.ts";
import { processTree, signalAll } from "../shell/process_tree.ts";

/** What a version probe found. */
export type VersionProbe =
  | { kind: "version"; version: string }
  | { kind: "none" }
  | { kind: "timeout"; flag: string }
  | { kind: "unsandboxed"; reason: string };

// `-version`: ffmpeg, ffprobe, java and other programs of that family accept only the one dash.
const FLAGS = ["--version", "-V", "-version"];
const MAX_OUTPUT = 64 * 1024;

/**
 * Takes the version line of the program at `path` (absolute), sandboxed, each attempt bounded
 * by `timeoutMs`. A timeout stops the probe (the next flag is not tried). `args` replaces the
 * flags tried (`--version`, `-V`, `-version`) by one probe.
 */
export async function probeVersion(
  path: string,
  options: { timeoutMs: number; args?: string[] },
): Promise<VersionProbe> {
  const dir = await Deno.makeTempDir({ prefix: "lily-version-" });
  try {
    const prefix = confinedPrefix(path, dir);
    if (!prefix) {
      return {
        kind: "unsandboxed",
        reason:
          "this machine cannot confine it to a temporary directory without network (needs bubblewrap), so it was not started",
      };
    }
    // A declared tool names its probe (`ffmpeg -version`); other programs get the usual flags.
    for (const args of options.args ? [options.args] : FLAGS.map((flag) => [flag])) {
      const flag = args.join(" ");
      const result = await runBounded([...prefix, path, ...args], dir, options.timeoutMs);
      if (result === "timeout") return { kind: "timeout", flag };
      if (result === undefined) continue;
      return { kind: "version", version: result };
    }
    return { kind: "none" };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Runs `argv` in its own session; the first line of its output, undefined, or "timeout". */
async function runBounded(
  argv: string[],
  cwd: string,
  timeoutMs: number,
): Promise<string | undefined | "timeout"> {
  const setsid = ["/usr/bin/setsid", "/bin/setsid"].find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
  const full = setsid ? [setsid, ...argv] : argv;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(full[0], {
      args: full.slice(1),
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
    }).spawn();
  } catch {
    return undefined;
  }
  const stdout = readCapped(child.stdout);
  const stderr = readCapped(child.stderr);
  let timedOut = false;
  const killTree = () => {
    const pids = processTree(child.pid);
    if (setsid) {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is gone
      }
    }
    signalAll(pids, "SIGKILL");
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, timeoutMs);
  const status = await child.status;
  clearTimeout(timer);
  // Whatever it left behind (a daemon holding the pipes) goes too.
  killTree();
  const [out, err] = await Promise.all([stdout, stderr]);
  if (timedOut) return "timeout";
  if (!status.success) return undefined;
  const text = (out.trim() ? out : err).trim().split("\n")[0]?.trim();
  return text ? text.slice(0, 200) : undefined;
}

async function readCapped(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size < MAX_OUTPUT) chunks.push(chunk.slice(0, MAX_OUTPUT - size));
    size += chunk.length;
  }
  return new TextDecoder().decode(
    chunks.reduce((a, b) => {
      const c = new Uint8Array(a.length + b.length);
      c.set(a);
      c.set(b, a.length);
      return c;
    }, new Uint8Array()),
  );
}
