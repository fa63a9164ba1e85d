/**
 * Starting programs: a command becomes a `Deno.Command` with exactly the environment the script
 * exported (never the host's), its streams pumped to and from the shell's sinks, and every
 * program the script started is tracked so that an abort or a denial can end them — their whole
 * process trees by default. Which program may start is decided before, in policy.ts.
 * @module
 */
import { denialFrom } from "./policy.ts";
import { processTree, signalAll } from "./process_tree.ts";
import { BrokenPipe, writeText } from "./sinks.ts";
import type { Input, Io, ShellPolicy, Sink } from "./types.ts";

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

/** Options for {@linkcode Processes}. */
export interface ProcessesOptions {
  /** Called with the pid of each program started (a sandbox host reports them). */
  onSpawn?: (pid: number) => void;
  /** Signal each program's whole process tree (true), or only the programs themselves. */
  killTrees: boolean;
}

/**
 * The programs a script (and all its subshells) started and that still run, and how to end
 * them. The pids found when a SIGTERM goes out are remembered, so a grandchild that ignores it
 * and is re-parented when its parent exits still gets the SIGKILL.
 */
export class Processes {
  readonly #running = new Set<Deno.ChildProcess>();
  readonly #doomed = new Set<number>();
  readonly #options: ProcessesOptions;
  /** Programs started so far, for the enforcement record. */
  spawned = 0;

  constructor(options: ProcessesOptions) {
    this.#options = options;
  }

  /** Tracks a program just started. */
  add(child: Deno.ChildProcess): void {
    this.spawned++;
    this.#running.add(child);
    this.#options.onSpawn?.(child.pid);
  }

  /** Stops tracking a program that ended. */
  delete(child: Deno.ChildProcess): void {
    this.#running.delete(child);
  }

  /** Sends `signal` to every running program (and, with `killTrees`, its descendants). */
  signal(signal: Deno.Signal): void {
    if (!this.#options.killTrees) {
      for (const child of this.#running) {
        try {
          child.kill(signal);
        } catch {
          // gone
        }
      }
      return;
    }
    for (const child of this.#running) {
      for (const pid of processTree(child.pid)) this.#doomed.add(pid);
    }
    signalAll(this.#doomed, signal);
  }

  /** Kills every running program (SIGKILL). */
  killAll(): void {
    this.signal("SIGKILL");
  }

  /**
   * When `abort` fires: SIGTERM now, SIGKILL after `graceMs`. The returned function ends the
   * watch; after an abort it also kills whatever the step left behind.
   */
  watch(abort: AbortSignal, graceMs: number): () => void {
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      this.signal("SIGTERM");
      killTimer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    };
    abort.addEventListener("abort", onAbort, { once: true });
    return () => {
      abort.removeEventListener("abort", onAbort);
      if (killTimer !== undefined) {
        clearTimeout(killTimer);
        // Whatever the step left behind does not outlive it.
        signalAll(this.#doomed, "SIGKILL");
      }
    };
  }
}

/** What {@linkcode spawnProgram} starts, and where. */
export interface SpawnRequest {
  /** The pinned absolute path (from `programPath`). */
  program: string;
  /** The name the script used (for messages). */
  name: string;
  args: string[];
  /** The whole environment of the program. */
  env: Record<string, string>;
  cwd: string;
  io: Io;
  /** For the denial a Deno permission error becomes. */
  policy: ShellPolicy;
}

/**
 * Starts a program and waits for it and its streams: its status, 128 + the signal number when
 * a signal ended it, 127 when it is not there, 126 when it cannot start.
 */
export async function spawnProgram(request: SpawnRequest, processes: Processes): Promise<number> {
  const { program, name, args, io } = request;
  let child: Deno.ChildProcess;
  const windowsBatch = Deno.build.os === "windows" && /\.(cmd|bat)$/i.test(program);
  try {
    child = new Deno.Command(windowsBatch ? "cmd.exe" : program, {
      args: windowsBatch ? ["/d", "/s", "/c", program, ...args] : args,
      cwd: request.cwd,
      env: request.env,
      clearEnv: true,
      stdin: io.stdin.kind === "null" ? "null" : "piped",
      stdout: io.stdout.isNull ? "null" : "piped",
      stderr: io.stderr.isNull ? "null" : "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw denialFrom(error, request.policy);
    if (error instanceof Deno.errors.NotFound) {
      await writeText(io.stderr, `lily-shell: ${name}: not found (${program})\n`);
      return 127;
    }
    await writeText(io.stderr, `lily-shell: ${name}: ${(error as Error).message}\n`);
    return 126;
  }
  processes.add(child);
  try {
    const pumps: Promise<void>[] = [];
    if (io.stdin.kind !== "null") pumps.push(feed(io.stdin, child.stdin));
    if (!io.stdout.isNull) pumps.push(drain(child.stdout, io.stdout));
    if (!io.stderr.isNull) pumps.push(drain(child.stderr, io.stderr));
    const [status] = await Promise.all([child.status, ...pumps]);
    if (status.signal) return 128 + (SIGNALS[status.signal] ?? 1);
    return status.code;
  } finally {
    processes.delete(child);
  }
}

async function feed(input: Input, stdin: WritableStream<Uint8Array>): Promise<void> {
  const writer = stdin.getWriter();
  try {
    if (input.kind === "bytes") await writer.write(input.data);
    else if (input.kind === "stream") {
      for await (const chunk of input.stream) await writer.write(chunk);
    }
    await writer.close();
  } catch {
    // The program stopped reading (it exited, or closed its stdin): like SIGPIPE for us.
    await writer.abort().catch(() => {});
  }
}

async function drain(stream: ReadableStream<Uint8Array>, sink: Sink): Promise<void> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await sink.write(value);
    }
  } catch (error) {
    if (!(error instanceof BrokenPipe)) throw error;
    // The reader downstream is gone: close our end so the program gets SIGPIPE.
    await reader.cancel().catch(() => {});
  }
}
