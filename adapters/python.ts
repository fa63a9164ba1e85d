/**
 * The `python` adapter: a `python` step with `runtime: pyodide` runs in CPython compiled to
 * WebAssembly (the npm `pyodide` package, loaded offline from Deno's npm cache) inside a Deno
 * process (src/sandbox/pyodide_worker.ts) whose only permissions are reading pyodide's own
 * package and, when the step allows the network, the hosts it lists. No read or write of the
 * host's files, no environment, no programs, no FFI, no prompt: whatever Python does (`open`,
 * `os.system`, `import js; js.Deno…`, a JavaScript `import()` of a host file), Deno refuses
 * what the process was not given — a sandbox that holds on every OS Deno runs on. (Not a Deno
 * Worker with narrowed permissions: a Worker's dynamic `import()` of local files is not checked
 * against them, so any JSON or JavaScript file of the host would be readable.)
 *
 * Files: the step sees only what it declares. Before the step, the adapter (in the engine's
 * process) copies its file and directory inputs (and `with.file`) into the interpreter's
 * in-memory file system at the same absolute paths; after it, it copies back the declared
 * output paths that the code wrote, checked against the step's write roots, and the
 * `$LILY_OUTPUT` text. Nothing else reaches the host.
 *
 * Start cost: one warm worker per network policy (a step at a time each; more are started
 * for `-j` steps at once), fresh globals per step (src/sandbox/pyodide_runner.ts); a worker starts
 * from a memory snapshot of a booted interpreter kept in Lily's user cache (made once, by the
 * first worker that finds none, and sent to workers on their stdin: they cannot read the
 * cache). A timeout kills the worker; the next step starts another.
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { LockStep } from "../src/schema/lock.ts";
import { lilyCacheDir } from "../src/sandbox/support.ts";
import type { WorkerReply, WorkerRequest } from "../src/sandbox/pyodide_worker.ts";
import {
  encodeWire,
  packMessage,
  readWire,
  unpackMessage,
  type WireType,
} from "../src/sandbox/pyodide_worker_wire.ts";
import { PYTHON_FILE_INPUT } from "../src/steps/python.ts";
import { pyodideDir, pyodideVersion } from "../src/steps/python_pyodide.ts";
import type { PyodideRunConfig } from "../src/sandbox/pyodide_runner.ts";
import type { Adapter, PermissionSet, StepRequest, StepResult } from "./types.ts";

/** Declared inputs copied into the interpreter, at most this many bytes per step in all. */
export const MAX_COPY_BYTES = 512 * 1024 * 1024;

/** Where the memory snapshot of a booted interpreter is kept (per pyodide version). */
function snapshotPath(): string | undefined {
  const cache = lilyCacheDir();
  if (!cache) return undefined;
  return join(cache, "pyodide", `${pyodideVersion()}-${Deno.version.deno}.snapshot`);
}

/**
 * V8 flags of a worker: none by default. `LILY_PYODIDE_V8_FLAGS` sets them, for
 * scripts/bench/pyodide_bench.ts, which measured eager WebAssembly tier-up
 * (`--no-wasm-dynamic-tiering`) against V8's default lazy tiering: no gain on the first step, and
 * slower further steps on a busy 2-core machine (the background compilation competes with them).
 */
function v8Flags(): string {
  return Deno.env.get("LILY_PYODIDE_V8_FLAGS") ?? "";
}

/** Makes sure Deno has the npm package in its cache (a run may not have loaded it yet). */
async function ensurePyodide(): Promise<void> {
  try {
    await Deno.stat(join(pyodideDir(), "package.json"));
  } catch {
    await import("pyodide");
  }
}

/**
 * The command line of a worker process: Deno with no permission but reading pyodide's package
 * (and the step's network), no prompt, no environment variable access.
 */
export function workerCommand(net: PermissionSet["net"]): string[] {
  const flags = [`--allow-read=${pyodideDir()}`];
  if (net === true) flags.push("--allow-net");
  else if (Array.isArray(net) && net.length) flags.push(`--allow-net=${net.join(",")}`);
  return [
    Deno.execPath(),
    "run",
    "--frozen",
    "--no-prompt",
    // No module from anywhere but Deno's cache: a remote import() is a network request (an
    // exfiltration channel), even to Deno's default import hosts.
    "--no-remote",
    "--deny-import",
    "--cached-only",
    "--quiet",
    ...(v8Flags() ? [`--v8-flags=${v8Flags()}`] : []),
    `--config=${fileURLToPath(new URL("../deno.json", import.meta.url))}`,
    ...flags,
    fileURLToPath(new URL("../src/sandbox/pyodide_worker.ts", import.meta.url)),
  ];
}

/** The variables Deno itself needs to find its cache (Python cannot read them: no env access). */
function workerEnv(): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1", RUST_BACKTRACE: "0" };
  for (const name of ["DENO_DIR", "HOME", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  // The cache this process loaded pyodide from (XDG_CACHE_HOME alone could point elsewhere).
  const at = pyodideDir().lastIndexOf("/npm/registry.npmjs.org/");
  if (at > 0) env.DENO_DIR = pyodideDir().slice(0, at);
  return env;
}

type Done = Extract<WorkerReply, { kind: "done" }>;

/** One worker process and its interpreter; runs one step at a time. */
class PyodideWorker {
  readonly process: Deno.ChildProcess;
  readonly ready: Promise<{ snapshot?: Uint8Array; loadMs: number }>;
  #onReply?: (reply: WorkerReply) => void;
  #onFail?: (message: string) => void;
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stderr = "";
  dead = false;

  constructor(net: PermissionSet["net"], snapshot: Uint8Array | null, makeSnapshot: boolean) {
    const [program, ...args] = workerCommand(net);
    const proc = this.process = new Deno.Command(program, {
      args,
      clearEnv: true,
      env: workerEnv(),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stdin = proc.stdin.getWriter();
    this.ready = new Promise((ok, fail) => {
      this.#onFail = (message) => fail(new Error(message));
      this.#onReply = (reply) => {
        if (reply.kind === "ready") ok(reply);
        else if (reply.kind === "failed") fail(new Error(reply.message));
      };
    });
    this.ready.catch(() => this.terminate());
    (async () => {
      for await (const chunk of proc.stderr) {
        if (this.#stderr.length < 8192) this.#stderr += new TextDecoder().decode(chunk);
      }
    })();
    (async () => {
      try {
        for await (const frame of readWire(proc.stdout)) {
          this.#onReply?.(decodeReply(frame.type, frame.payload));
        }
      } catch {
        // a broken stream: the worker's end
      }
      await proc.status;
      this.dead = true;
      const why = this.#stderr.trim().split("\n").slice(-3).join("; ");
      this.#onFail?.(`the worker process exited${why ? `: ${why}` : ""}`);
    })();
    this.#send("I", packMessage({ makeSnapshot }, snapshot ? [snapshot] : []));
  }

  #send(type: "I" | "R", payload: Uint8Array): void {
    this.#stdin.write(encodeWire(type, payload)).catch(() => {});
  }

  /** Runs one step; `onOutput` gets its output in order. Rejects when the worker dies. */
  run(
    request: Extract<WorkerRequest, { kind: "run" }>,
    onOutput: (data: Uint8Array, stream: "stdout" | "stderr") => void,
  ): Promise<Done> {
    return new Promise((ok, fail) => {
      this.#onFail = (message) => fail(new Error(message));
      this.#onReply = (reply) => {
        if (reply.kind === "out") onOutput(reply.data, reply.stream);
        else if (reply.kind === "done") ok(reply);
        else if (reply.kind === "failed") fail(new Error(reply.message));
      };
      const { files, kind: _, ...meta } = request;
      this.#send(
        "R",
        packMessage({ ...meta, paths: files.map(([p]) => p) }, files.map(([, d]) => d)),
      );
    });
  }

  terminate(): void {
    if (this.dead) return;
    this.dead = true;
    try {
      this.process.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Decodes a reply frame of a worker. */
function decodeReply(type: WireType, payload: Uint8Array): WorkerReply {
  if (type === "O" || type === "E") {
    return { kind: "out", stream: type === "O" ? "stdout" : "stderr", data: payload };
  }
  const { meta, blobs } = unpackMessage<Record<string, unknown>>(payload);
  if (type === "Y") {
    return { kind: "ready", snapshot: blobs[0], loadMs: meta.loadMs as number };
  }
  if (type === "D") {
    const paths = meta.paths as string[];
    return {
      kind: "done",
      status: meta.status as number,
      denied: meta.denied as Done["denied"],
      broken: meta.broken === true,
      outputText: meta.outputText as string | null,
      files: paths.map((p, i) => [p, blobs[i]]),
    };
  }
  return { kind: "failed", message: String(meta.message) };
}

/** Reads a step's file inputs (regular files, and those below input directories). */
async function filesIn(
  step: LockStep,
  env: Record<string, string>,
  permissions: PermissionSet,
): Promise<{ files: [string, Uint8Array][]; dirs: string[] } | { error: string }> {
  const files: [string, Uint8Array][] = [];
  const dirs: string[] = [];
  let bytes = 0;
  const add = async (path: string): Promise<string | undefined> => {
    const stat = await Deno.lstat(path);
    if (stat.isSymlink) {
      // Only regular files cross; a link is followed once, to a file inside the read roots.
      const real = await Deno.realPath(path);
      if (!within(real, permissions.read) || within(real, permissions.deny)) {
        return `\`${path}\` links outside the step's read roots`;
      }
      const target = await Deno.stat(real);
      if (!target.isFile) return undefined;
    }
    if (stat.isDirectory) {
      dirs.push(path);
      for await (const entry of Deno.readDir(path)) {
        const problem = await add(join(path, entry.name));
        if (problem) return problem;
      }
      return undefined;
    }
    const data = await Deno.readFile(path);
    bytes += data.length;
    if (bytes > MAX_COPY_BYTES) {
      return `the step's file inputs are over ${MAX_COPY_BYTES / 1024 / 1024} MiB in all`;
    }
    files.push([path, data]);
    return undefined;
  };
  for (const [name, io] of Object.entries(step.inputs)) {
    if (io.type !== "file" && io.type !== "dir" && name !== PYTHON_FILE_INPUT) continue;
    const path = env[`LILY_INPUT_${name.toUpperCase()}`];
    if (path === undefined || !isAbsolute(path)) continue;
    if (!within(path, permissions.read) || within(path, permissions.deny)) {
      return { error: `input \`${name}\` (\`${path}\`) is outside the step's read roots` };
    }
    try {
      const problem = await add(path);
      if (problem) return { error: `input \`${name}\`: ${problem}` };
    } catch (error) {
      return { error: `input \`${name}\`: cannot read \`${path}\`: ${(error as Error).message}` };
    }
  }
  return { files, dirs };
}

/** Whether `path` is one of `roots` or below one. */
function within(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  });
}

/** Writes the output files the worker returned, each checked against the write roots. */
async function filesOut(
  files: [string, Uint8Array][],
  permissions: PermissionSet,
): Promise<{ path: string; why: string } | undefined> {
  const allowed = (path: string) =>
    within(path, permissions.write) && !within(path, permissions.deny);
  for (const [path, data] of files) {
    if (!allowed(path)) return { path, why: "it is outside the step's write roots" };
    await Deno.mkdir(dirname(path), { recursive: true });
    if (!allowed(await Deno.realPath(dirname(path)))) {
      return { path, why: "its directory links outside the step's write roots" };
    }
    try {
      if ((await Deno.lstat(path)).isSymlink) {
        return { path, why: "it is a symbolic link on the host (Lily does not write through one)" };
      }
    } catch {
      // absent: created below
    }
    await Deno.writeFile(path, data);
  }
  return undefined;
}

/**
 * Creates the `python` adapter (pyodide workers, warm per network policy). At most `maxIdle`
 * workers wait between steps (each holds an interpreter, ~150 MB): past that, the one idle
 * longest ends.
 */
export function pythonAdapter(options: { maxIdle?: number } = {}): Adapter {
  const maxIdle = Math.max(1, options.maxIdle ?? 2);
  const idle = new Map<string, PyodideWorker[]>();
  const idleOrder: PyodideWorker[] = [];
  const release = (key: string, worker: PyodideWorker) => {
    (idle.get(key) ?? idle.set(key, []).get(key)!).push(worker);
    idleOrder.push(worker);
    while (idleOrder.length > maxIdle) {
      const oldest = idleOrder.shift()!;
      for (const list of idle.values()) {
        const at = list.indexOf(oldest);
        if (at >= 0) list.splice(at, 1);
      }
      all.delete(oldest);
      oldest.terminate();
    }
  };
  const acquire = (key: string): PyodideWorker | undefined => {
    const worker = idle.get(key)?.pop();
    if (worker) idleOrder.splice(idleOrder.indexOf(worker), 1);
    return worker;
  };
  const all = new Set<PyodideWorker>();
  let snapshot: Promise<Uint8Array | null> | undefined;
  let making: Promise<void> | undefined;

  const loadSnapshot = async (): Promise<Uint8Array | null> => {
    await ensurePyodide();
    const path = snapshotPath();
    if (!path) return null;
    try {
      return await Deno.readFile(path);
    } catch {
      return null;
    }
  };

  const saveSnapshot = async (bytes: Uint8Array): Promise<void> => {
    const path = snapshotPath();
    if (!path) return;
    try {
      await Deno.mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${Deno.pid}.tmp`;
      await Deno.writeFile(tmp, bytes);
      await Deno.rename(tmp, path);
    } catch {
      // The cache is not writable: every run boots without a snapshot (slower, same result).
    }
  };

  const start = async (net: PermissionSet["net"]): Promise<PyodideWorker> => {
    snapshot ??= loadSnapshot();
    let bytes = await snapshot;
    if (!bytes && making) {
      await making;
      bytes = await snapshot;
    }
    if (bytes) {
      const worker = new PyodideWorker(net, bytes, false);
      all.add(worker);
      try {
        await worker.ready;
        return worker;
      } catch {
        // A snapshot this pyodide cannot load (corrupt, another build): boot and make anew.
        all.delete(worker);
        const path = snapshotPath();
        if (path) await Deno.remove(path).catch(() => {});
        snapshot = Promise.resolve(null);
      }
    }
    const worker = new PyodideWorker(net, null, !making);
    all.add(worker);
    if (!making) {
      making = worker.ready.then(async (reply) => {
        if (reply.snapshot) {
          snapshot = Promise.resolve(reply.snapshot);
          await saveSnapshot(reply.snapshot);
        }
      }, () => {}).finally(() => making = undefined);
    }
    await worker.ready;
    return worker;
  };

  return {
    name: "python",
    async run(request: StepRequest): Promise<StepResult> {
      const started = performance.now();
      const { step, spec, permissions } = request;
      const key = JSON.stringify(permissions.net);
      const enforcement = {
        sandbox: "pyodide-worker",
        deno_permissions: true,
        read: [pyodideDir()],
        write: false,
        net: permissions.net,
        run: false,
        env: false,
        files: "declared inputs copied in, declared outputs copied out",
      };
      const fail = (message: string, code = "LILY-E0685"): StepResult => ({
        exitCode: null,
        signal: null,
        durationMs: performance.now() - started,
        error: { code, message },
        enforcement,
      });
      if (Deno.build.standalone) {
        // A compiled Lily cannot start Deno with narrower permissions (it is not `deno`).
        return fail(
          "pyodide steps need Lily run by `deno run` (a compiled Lily cannot start the sandboxed worker)",
        );
      }
      if (step.with.pyodide !== pyodideVersion()) {
        return fail(
          `step \`${step.id}\` was composed for pyodide ${
            step.with.pyodide ?? "(none)"
          }, and this Lily has pyodide ${pyodideVersion()}: compose the workflow again`,
        );
      }
      const input = await filesIn(step, spec.env, permissions);
      if ("error" in input) return fail(input.error, "LILY-E0686");
      let worker = acquire(key);
      if (!worker) {
        try {
          worker = await start(permissions.net);
        } catch (error) {
          return fail(`the pyodide interpreter did not start: ${(error as Error).message}`);
        }
      }
      if (request.signal.aborted) {
        release(key, worker);
        return { exitCode: null, signal: "SIGKILL", durationMs: 0, enforcement };
      }
      const config: PyodideRunConfig = {
        step: step.id,
        code: typeof step.with.code === "string" ? step.with.code : null,
        file: typeof step.with.file === "string" ? step.with.file : null,
        inputs: Object.fromEntries(
          Object.entries(step.inputs).filter(([name]) => name !== PYTHON_FILE_INPUT)
            .map(([name, io]) => [name, io.type]),
        ),
        env: spec.env,
        cwd: spec.cwd,
        network: permissions.net !== false,
      };
      const outputs = Object.values(step.outputs)
        .filter((io) => io.path !== undefined)
        .map((io) => resolve(spec.cwd, io.path!));
      let writing = Promise.resolve();
      const onOutput = (data: Uint8Array, stream: "stdout" | "stderr") => {
        writing = writing.then(() => request.write(data, stream));
      };
      const running = worker;
      const abort = () => running.terminate();
      request.signal.addEventListener("abort", abort, { once: true });
      let done: Done;
      try {
        done = await running.run({
          kind: "run",
          config,
          files: input.files,
          dirs: [...input.dirs, ...(spec.env.TMPDIR ? [spec.env.TMPDIR] : [])],
          outputFile: spec.env.LILY_OUTPUT,
          outputs,
        }, onOutput);
      } catch (error) {
        all.delete(running);
        running.terminate();
        await writing;
        if (request.signal.aborted) {
          return {
            exitCode: null,
            signal: "SIGKILL",
            durationMs: performance.now() - started,
            enforcement,
          };
        }
        return fail(`the pyodide worker stopped: ${(error as Error).message}`);
      } finally {
        request.signal.removeEventListener("abort", abort);
      }
      await writing;
      if (request.signal.aborted) {
        all.delete(running);
        return {
          exitCode: null,
          signal: "SIGKILL",
          durationMs: performance.now() - started,
          enforcement,
        };
      }
      if (done.broken) {
        all.delete(running);
        running.terminate();
      } else release(key, running);
      if (done.outputText !== null) {
        await Deno.mkdir(dirname(spec.env.LILY_OUTPUT), { recursive: true });
        await Deno.writeTextFile(spec.env.LILY_OUTPUT, done.outputText, { append: true });
      }
      const problem = await filesOut(done.files, permissions);
      const result: StepResult = {
        exitCode: done.status,
        signal: null,
        durationMs: performance.now() - started,
        enforcement,
      };
      if (done.denied) result.denied = done.denied;
      if (problem) {
        const message = `lily: denied: copying output \`${problem.path}\` out: ${problem.why}`;
        await request.write(new TextEncoder().encode(message + "\n"), "stderr");
        result.denied = { kind: "write", target: problem.path, message };
        result.exitCode = 126;
      }
      return result;
    },
    close(): Promise<void> {
      for (const worker of all) worker.terminate();
      all.clear();
      idle.clear();
      idleOrder.length = 0;
      return making ? making.then(() => {}) : Promise.resolve();
    },
  };
}
