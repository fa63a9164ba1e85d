/**
 * The sandbox host pool (adapters/sandbox.ts is the adapter over it): runs each step attempt in a long-lived host process (host_main.ts)
 * started with exactly that step's Deno permissions and OS isolation, pooled per distinct
 * permission set (so the namespace and the Deno start-up are paid once per host, not per
 * step). The engine's process keeps every privilege it needs — it writes the logs, the cache
 * and the records, and it kills a timed-out step's whole process tree, which a host may not.
 * @module
 */
import { processTree, signalAll } from "../shell/process_tree.ts";
import { type ExecOutcome, type ExecResult, type ExecSpec, resultOf } from "./execute.ts";
import type { OsIsolation } from "./isolation.ts";
import type { PermissionSet } from "./policy.ts";
import {
  clearNamespace,
  type HostNamespace,
  hostNamespace,
  signalNamespace,
} from "./pid_namespace.ts";
import { type Frame, FrameWriter, readFrames } from "./protocol.ts";
import { hostAllowed } from "./proxy.ts";
import { privateScratch, type ScratchPart } from "./scratch.ts";
import { lilyCacheDir } from "./support.ts";
import { warmHostModules } from "./warm.ts";

/** Options for {@linkcode sandboxPool}. */
export interface SandboxOptions {
  /** The directory hosts start in (the project root). */
  cwd: string;
  /** How many hosts one permission set may have (the run's job count). */
  hostsPerSet: number;
  /** Idle hosts kept in all, beyond which the least recently used are closed. */
  maxIdle?: number;
}

/**
 * One attempt for a host: what to run and under which policy. The adapter's `StepRequest`
 * (adapters/types.ts) carries these fields; this folder does not import adapters/.
 */
export interface HostRequest {
  spec: ExecSpec;
  permissions: PermissionSet;
  os: OsIsolation;
  write(chunk: Uint8Array, stream: "stdout" | "stderr"): Promise<void>;
  signal: AbortSignal;
  graceMs: number;
  /** The attempt holds a secret: its host runs nothing after it. */
  retireHost: boolean;
}

/** What an attempt in a host ended with, and what was enforced. */
export type HostResult = ExecResult & { enforcement?: Record<string, unknown> };

/** The hosts of one run, pooled per permission set. */
export interface SandboxPool {
  run(request: HostRequest): Promise<HostResult>;
  /** Ends every host. */
  close(): Promise<void>;
}

/** The Deno flags that grant exactly a spec's permissions. */
export function denoFlags(
  spec: ExecSpec,
  network: boolean | string[],
  proxied = false,
): string[] {
  const flags: string[] = [];
  const read = [...new Set([...spec.readRoots, ...spec.writeRoots])];
  if (read.length) flags.push(`--allow-read=${read.join(",")}`);
  if (spec.writeRoots.length) flags.push(`--allow-write=${spec.writeRoots.join(",")}`);
  if (spec.denyRoots.length) {
    flags.push(`--deny-read=${spec.denyRoots.join(",")}`);
    flags.push(`--deny-write=${spec.denyRoots.join(",")}`);
  }
  const run = [...new Set(Object.values(spec.binaries))].sort();
  if (run.length) flags.push(`--allow-run=${run.join(",")}`);
  // A proxied host only listens on its own loopback; the engine opens the connections.
  if (proxied) flags.push("--allow-net=127.0.0.1");
  else if (network === true) flags.push("--allow-net");
  else if (Array.isArray(network) && network.length) flags.push(`--allow-net=${network.join(",")}`);
  return flags;
}

/** How a host process is started: the command line, and whether Deno's permissions apply. */
export function hostCommand(flags: string[], prefix: string[], proxy?: string[]): {
  argv: string[];
  denoPermissions: boolean;
} {
  const exe = execPath ??= Deno.execPath();
  const hostArgs = proxy ? [`--proxy=${proxy.join(",")}`] : [];
  if (Deno.build.standalone) {
    // A compiled Lily carries its permissions in the binary: flags cannot narrow them. The
    // host still runs Lily's shell (which checks the policy) and the OS isolation.
    return { argv: [...prefix, exe, "__host", ...hostArgs], denoPermissions: false };
  }
  const entry = new URL("./host_main.ts", import.meta.url).href;
  return {
    argv: [
      ...prefix,
      exe,
      "run",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      "--quiet",
      "--v8-flags=--max-old-space-size=64,--max-semi-space-size=1",
      ...flags,
      entry,
      ...hostArgs,
    ],
    denoPermissions: true,
  };
}

let execPath: string | undefined;

interface Attempt {
  write: HostRequest["write"];
  pids: Set<number>;
  resolve(outcome: ExecOutcome): void;
}

const decoder = new TextDecoder();
let nextAttemptId = 1;

/** One host process. */
class Host {
  busy = 0;
  lastUsed = performance.now();
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  private readonly writer: FrameWriter;
  private readonly attempts = new Map<number, Attempt>();
  private readonly proc: Deno.ChildProcess;
  private stderr = "";
  private gone = false;
  private hostPid = 0;

  /** Connections opened for the host's proxy, by tunnel id. */
  private readonly tunnels = new Map<number, Deno.TcpConn>();
  /** Its own PID namespace, when it has one (found after its hello). */
  private namespace: HostNamespace | null | undefined;

  constructor(
    readonly key: string,
    template: string[],
    cwd: string,
    private readonly allowHosts: string[],
    private readonly scratch: ScratchPart | null,
    private readonly pidNamespace: boolean,
  ) {
    const argv = scratch ? scratch.argv(template) : template;
    const [program, ...args] = argv;
    const proc = new Deno.Command(program, {
      args,
      cwd,
      clearEnv: true,
      env: hostEnv(),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.proc = proc;
    const stdin = proc.stdin.getWriter();
    this.writer = new FrameWriter((bytes) => stdin.write(bytes), () => stdin.close());
    let hello!: () => void;
    let failed!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      hello = resolve;
      failed = reject;
    });
    // A start-up failure is reported to whoever awaits `ready`; nobody may be waiting yet.
    this.ready.catch(() => {});
    const collectStderr = (async () => {
      for await (const chunk of proc.stderr) {
        if (this.stderr.length < 8192) this.stderr += decoder.decode(chunk);
      }
    })();
    this.done = (async () => {
      try {
        for await (const frame of readFrames(proc.stdout)) {
          if (frame.type === "H") {
            this.hostPid = (JSON.parse(decoder.decode(frame.payload)) as { pid: number }).pid;
            hello();
          } else await this.dispatch(frame);
        }
      } catch {
        // a broken stream: treated as the host's end
      }
      // The host's own end signal: a host ended by SIGINT (Ctrl-C reaches the whole process
      // group) tells the engine the run is being interrupted, not that the step failed.
      const { signal } = await proc.status;
      await collectStderr;
      this.gone = true;
      const why = `the sandbox host exited${this.stderr ? `: ${this.stderr.trim()}` : ""}`;
      failed(new Error(why));
      for (const attempt of this.attempts.values()) {
        attempt.resolve({
          exitCode: null,
          signal: signal ?? null,
          durationMs: 0,
          spawned: 0,
          error: { code: "LILY-E0813", message: why },
        });
      }
      this.attempts.clear();
    })();
  }

  get alive(): boolean {
    return !this.gone;
  }

  private async dispatch(frame: Frame): Promise<void> {
    if (frame.type === "T" || frame.type === "U" || frame.type === "X") {
      return this.tunnel(frame);
    }
    const attempt = this.attempts.get(frame.id);
    if (!attempt) return;
    switch (frame.type) {
      case "P":
        attempt.pids.add(Number(decoder.decode(frame.payload)));
        break;
      case "O":
      case "E":
        // A log that cannot be written loses that output, never the host's stream.
        await attempt.write(frame.payload, frame.type === "O" ? "stdout" : "stderr")
          .catch(() => {});
        break;
      case "R":
        this.attempts.delete(frame.id);
        attempt.resolve(JSON.parse(decoder.decode(frame.payload)) as ExecOutcome);
        break;
    }
  }

  /** The engine's end of the proxy: connects to listed hosts only, relays bytes. */
  private async tunnel(frame: Frame): Promise<void> {
    const id = frame.id;
    if (frame.type === "U") {
      const conn = this.tunnels.get(id);
      if (conn) await conn.write(frame.payload).catch(() => {});
      return;
    }
    if (frame.type === "X") {
      this.tunnels.get(id)?.close();
      this.tunnels.delete(id);
      return;
    }
    const { host, port } = JSON.parse(decoder.decode(frame.payload)) as {
      host: string;
      port: number;
    };
    if (!hostAllowed(this.allowHosts, host, port)) {
      void this.writer.send("K", id, JSON.stringify({ ok: false, error: "not on the list" }));
      return;
    }
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: host, port });
    } catch (error) {
      void this.writer.send(
        "K",
        id,
        JSON.stringify({ ok: false, error: (error as Error).message }),
      );
      return;
    }
    this.tunnels.set(id, conn);
    await this.writer.send("K", id, JSON.stringify({ ok: true }));
    void (async () => {
      try {
        for await (const chunk of conn.readable) await this.writer.send("W", id, chunk);
      } catch {
        // closed
      }
      this.tunnels.delete(id);
      await this.writer.send("Z", id);
    })();
  }

  async run(request: HostRequest): Promise<ExecOutcome> {
    await this.ready;
    if (this.pidNamespace && this.namespace === undefined) {
      this.namespace = hostNamespace(this.proc.pid, this.hostPid);
    }
    const ns = this.namespace ?? null;
    const id = nextAttemptId++;
    const attemptDir = this.scratch ? await this.scratch.attempt(id, request.spec) : null;
    const spec = attemptDir?.spec ?? request.spec;
    const pids = new Set<number>();
    const outcome = new Promise<ExecOutcome>((resolve) => {
      this.attempts.set(id, { write: request.write, pids, resolve });
    });
    const doomed = new Set<number>();
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    let hostTimer: ReturnType<typeof setTimeout> | undefined;
    let hostKilled = false;
    const kill = (signal: Deno.Signal) => {
      if (ns) {
        // Everything in the host's PID namespace but the host: the attempt's programs.
        if (signal === "SIGKILL") void clearNamespace(ns);
        else signalNamespace(ns, signal);
        return;
      }
      for (const pid of pids) for (const p of processTree(pid)) doomed.add(p);
      signalAll(doomed, signal);
    };
    const onAbort = () => {
      void this.writer.send("C", id);
      kill("SIGTERM");
      killTimer = setTimeout(() => {
        kill("SIGKILL");
        // A host that does not answer after its programs are gone (a step stopped it with
        // SIGSTOP, say) is killed itself: the attempt ends as a host failure.
        hostTimer = setTimeout(() => {
          hostKilled = true;
          this.kill();
        }, request.graceMs);
      }, request.graceMs);
    };
    const cpuPid = ns?.hostPid ?? this.hostPid;
    const cpuBefore = childrenCpuMs(cpuPid);
    await this.writer.send("S", id, JSON.stringify(spec));
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      let result = await outcome;
      if (hostKilled) {
        // Killed on the abort's behalf: the attempt ends as its timeout or cancellation.
        result = { exitCode: null, signal: "SIGKILL", durationMs: result.durationMs, spawned: 0 };
      }
      const cpuAfter = childrenCpuMs(cpuPid);
      if (cpuBefore !== undefined && cpuAfter !== undefined && result.spawned > 0) {
        result.cpuMs = cpuAfter - cpuBefore;
      }
      return result;
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      if (killTimer !== undefined) {
        clearTimeout(killTimer);
        clearTimeout(hostTimer);
        if (!ns) kill("SIGKILL");
      }
      // Nothing the attempt started outlives it (before its output is read or its files go).
      if (ns) await clearNamespace(ns);
      // With a PID namespace nothing of the attempt is left: its emptied directory may serve
      // the next attempt (scratch.ts).
      await attemptDir?.finish(ns !== null);
    }
  }

  /** Ends the host at once (its namespace and programs with it). */
  kill(): void {
    try {
      this.proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  async close(): Promise<void> {
    for (const conn of this.tunnels.values()) conn.close();
    try {
      await this.writer.close();
    } catch {
      // already closed
    }
    await this.done;
  }
}

/**
 * CPU time (ms) of a host's reaped children, from /proc/<pid>/stat (Linux; Deno forbids a
 * sandboxed host to read its own). A host runs one attempt at a time, so the difference across
 * an attempt is the CPU its programs used (10 ms resolution).
 */
function childrenCpuMs(pid: number): number | undefined {
  if (Deno.build.os !== "linux" || !pid) return undefined;
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime: fields 16 and 17 of the file, 14 and 15 after `state` (field 3).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function hostEnv(): Record<string, string> {
  // Deno needs to find its cache; nothing of this reaches a step (steps get explicit envs).
  const env: Record<string, string> = { NO_COLOR: "1", RUST_BACKTRACE: "0" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "LOCALAPPDATA", "USERPROFILE"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Creates the pool of sandbox hosts. Hosts are started on demand, one attempt at a time each, at
 * most `hostsPerSet` per permission set; `close()` ends them all.
 */
export function sandboxPool(options: SandboxOptions): SandboxPool {
  const sets = new Map<string, Host[]>();
  const waiters = new Map<string, (() => void)[]>();
  const maxIdle = options.maxIdle ?? Math.max(4, options.hostsPerSet * 2);

  const release = (host: Host, retire: boolean) => {
    host.busy--;
    if (retire) {
      // The host held a secret in its memory: no later step runs in it (a step may read
      // its host's memory, as the same user in the same namespace).
      sets.set(host.key, (sets.get(host.key) ?? []).filter((h) => h !== host));
      void host.close();
    }
    host.lastUsed = performance.now();
    waiters.get(host.key)?.shift()?.();
    trimIdle();
  };
  const trimIdle = () => {
    const idle = [...sets.values()].flat().filter((h) => h.busy === 0);
    if (idle.length <= maxIdle) return;
    idle.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const host of idle.slice(0, idle.length - maxIdle)) {
      sets.set(host.key, sets.get(host.key)!.filter((h) => h !== host));
      void host.close();
    }
  };
  let hostCount = 0;
  const acquire = async (
    key: string,
    argv: string[],
    request: HostRequest,
  ): Promise<Host> => {
    const allowHosts = request.os.proxy ?? [];
    await warmHostModules(lilyCacheDir());
    for (;;) {
      const hosts = (sets.get(key) ?? []).filter((h) => h.alive);
      sets.set(key, hosts);
      const idle = hosts.find((h) => h.busy === 0);
      if (idle) {
        idle.busy++;
        return idle;
      }
      if (hosts.length < options.hostsPerSet) {
        const scratch = request.os.scratch
          ? await privateScratch(request.os.scratch, ++hostCount)
          : null;
        const host = new Host(
          key,
          argv,
          options.cwd,
          allowHosts,
          scratch,
          !!request.os.pidNamespace,
        );
        host.busy++;
        hosts.push(host);
        return host;
      }
      await new Promise<void>((resolve) => {
        const list = waiters.get(key) ?? [];
        list.push(resolve);
        waiters.set(key, list);
      });
    }
  };

  // Steps of one policy share their permission set object (the engine memoizes it): the
  // host command is computed once per set.
  const commands = new WeakMap<
    object,
    { key: string; argv: string[]; enforcement: Record<string, unknown> }
  >();
  const commandOf = (request: HostRequest) => {
    let command = commands.get(request.permissions);
    if (!command) {
      const flags = denoFlags(request.spec, request.permissions.net, !!request.os.proxy);
      const { argv, denoPermissions } = hostCommand(flags, request.os.prefix, request.os.proxy);
      command = {
        key: JSON.stringify(argv),
        argv,
        enforcement: {
          sandbox: "deno host",
          deno_permissions: denoPermissions,
          deno_flags: flags,
          tree_kill: request.os.pidNamespace
            ? "pid namespace"
            : Deno.build.os === "linux"
            ? "proc"
            : "child-only",
        },
      };
      commands.set(request.permissions, command);
    }
    return command;
  };

  return {
    async run(request: HostRequest): Promise<HostResult> {
      const started = performance.now();
      const { key, argv, enforcement } = commandOf(request);
      let host: Host;
      try {
        host = await acquire(key, argv, request);
      } catch (error) {
        return failed(started, `cannot start the sandbox host: ${(error as Error).message}`);
      }
      try {
        const outcome = await host.run(request);
        return { ...resultOf(outcome), enforcement };
      } catch (error) {
        return { ...failed(started, (error as Error).message), enforcement };
      } finally {
        release(host, request.retireHost);
      }
    },
    async close() {
      const all = [...sets.values()].flat();
      sets.clear();
      await Promise.all(all.map((h) => h.close()));
    },
  };
}

function failed(started: number, message: string): ExecResult {
  return {
    exitCode: null,
    signal: null,
    durationMs: performance.now() - started,
    error: { code: "LILY-E0813", message },
  };
}
