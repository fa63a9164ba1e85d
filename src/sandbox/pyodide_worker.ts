/**
 * The program a pyodide worker runs: a Deno process that the `python` adapter
 * (adapters/python.ts) starts with no permission but reading pyodide's own package (and the
 * network hosts a step's policy allows), speaking frames on stdin/stdout
 * (pyodide_worker_wire.ts). It loads CPython-in-WebAssembly from the npm
 * `pyodide` package (from a memory snapshot when the adapter has one), then runs steps one at
 * a time: the adapter sends the step's files (its declared file inputs, copied into the
 * in-memory file system at the same absolute paths), the worker runs the code through
 * `_lily_run` (src/sandbox/pyodide_runner.ts), streams stdout and stderr back, and
 * answers with the exit status, the `$LILY_OUTPUT` text and the declared output files.
 * Messages are {@linkcode WorkerRequest} and {@linkcode WorkerReply}. Nothing else may write
 * to stdout: `console` goes to stderr.
 * @module
 */
import { loadPyodide, type PyodideAPI } from "pyodide";
import {
  PYODIDE_DENIED_STATUS,
  PYODIDE_RUNNER_SOURCE,
  type PyodideRunConfig,
} from "./pyodide_runner.ts";
import {
  encodeWire,
  packMessage,
  readWire,
  unpackMessage,
  type WireType,
} from "./pyodide_worker_wire.ts";

/** What the adapter sends a worker. */
export type WorkerRequest =
  | { kind: "init"; snapshot: Uint8Array | null; makeSnapshot: boolean }
  | {
    kind: "run";
    config: PyodideRunConfig;
    /** Files to create before the step: absolute path → content. */
    files: [string, Uint8Array][];
    /** Directories to create (input directories, the output file's, `$TMPDIR`). */
    dirs: string[];
    /** Absolute paths of the `$LILY_OUTPUT` file and of declared output files or dirs. */
    outputFile: string;
    outputs: string[];
  };

/** What a worker answers. */
export type WorkerReply =
  | { kind: "ready"; snapshot?: Uint8Array; loadMs: number }
  | { kind: "out"; stream: "stdout" | "stderr"; data: Uint8Array }
  | {
    kind: "done";
    status: number;
    denied: { kind: string; target: string; message: string } | null;
    /** The interpreter cannot be used again (a fatal error): the adapter ends the worker. */
    broken: boolean;
    outputText: string | null;
    files: [string, Uint8Array][];
  }
  | { kind: "failed"; message: string };

/** Output is sent in chunks of at most this many bytes (fewer messages for chatty steps). */
const CHUNK = 64 * 1024;

let py: PyodideAPI | undefined;
let runStep: ((config: string) => Promise<number>) | undefined;
let resetStep: (() => void) | undefined;
let deniedOf: (() => string) | undefined;

// Frames are written whole, synchronously: output streams while Python runs (the event loop
// is busy then), and a full pipe holds the step back (back-pressure).
function send(type: WireType, payload: Uint8Array): void {
  const frame = encodeWire(type, payload);
  let at = 0;
  while (at < frame.length) at += Deno.stdout.writeSync(frame.subarray(at));
}

function post(reply: WorkerReply): void {
  if (reply.kind === "out") {
    send(reply.stream === "stdout" ? "O" : "E", reply.data);
  } else if (reply.kind === "ready") {
    send("Y", packMessage({ loadMs: reply.loadMs }, reply.snapshot ? [reply.snapshot] : []));
  } else if (reply.kind === "done") {
    const { files, ...meta } = reply;
    send("D", packMessage({ ...meta, paths: files.map(([p]) => p) }, files.map(([, d]) => d)));
  } else send("F", packMessage({ message: reply.message }));
}

/** Buffers a stream's bytes, posting them when the buffer fills and at the end of a step. */
class Stream {
  #parts: Uint8Array[] = [];
  #size = 0;
  constructor(private readonly name: "stdout" | "stderr") {}
  write(bytes: Uint8Array): number {
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
    if (this.#size >= CHUNK) this.flush();
    return bytes.length;
  }
  flush(): void {
    if (!this.#size) return;
    const data = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      data.set(p, at);
      at += p.length;
    }
    this.#parts = [];
    this.#size = 0;
    post({ kind: "out", stream: this.name, data });
  }
}
const stdout = new Stream("stdout");
const stderr = new Stream("stderr");

async function init(request: Extract<WorkerRequest, { kind: "init" }>): Promise<void> {
  const started = performance.now();
  py = await loadPyodide({
    ...(request.snapshot ? { _loadSnapshot: request.snapshot } : {}),
    ...(request.makeSnapshot ? { _makeSnapshot: true } : {}),
    env: { HOME: "/home/pyodide" },
  });
  const snapshot = request.makeSnapshot ? py.makeMemorySnapshot() : undefined;
  // stdin carries the adapter's frames: Python's stdin is empty (input() raises EOFError).
  py.setStdin({ stdin: () => null });
  py.setStdout({ write: (b: Uint8Array) => stdout.write(b) });
  py.setStderr({ write: (b: Uint8Array) => stderr.write(b) });
  py.runPython(PYODIDE_RUNNER_SOURCE);
  runStep = py.globals.get("_lily_run");
  resetStep = py.globals.get("_lily_reset");
  deniedOf = py.globals.get("_lily_denied");
  post({ kind: "ready", snapshot, loadMs: performance.now() - started });
}

function mkdirs(path: string): void {
  const FS = py!.FS;
  let at = "";
  for (const part of path.split("/").filter(Boolean)) {
    at += "/" + part;
    if (!FS.analyzePath(at).exists) FS.mkdir(at);
  }
}

/** The declared outputs that exist: regular files, and the regular files below directories. */
function collect(paths: string[]): [string, Uint8Array][] {
  const FS = py!.FS;
  const out: [string, Uint8Array][] = [];
  const walk = (path: string) => {
    const found = FS.analyzePath(path);
    if (!found.exists) return;
    const stat = FS.lstat(path);
    if (FS.isFile(stat.mode)) out.push([path, FS.readFile(path)]);
    else if (FS.isDir(stat.mode)) {
      for (const name of FS.readdir(path)) {
        if (name !== "." && name !== "..") walk(`${path}/${name}`);
      }
    }
  };
  for (const path of paths) walk(path);
  return out;
}

async function run(request: Extract<WorkerRequest, { kind: "run" }>): Promise<void> {
  const FS = py!.FS;
  let status = 1;
  let broken = false;
  let outputText: string | null = null;
  let files: [string, Uint8Array][] = [];
  let denied: { kind: string; target: string; message: string } | null = null;
  try {
    for (const dir of request.dirs) mkdirs(dir);
    mkdirs(request.config.cwd);
    mkdirs(request.outputFile.slice(0, request.outputFile.lastIndexOf("/")));
    for (const [path, data] of request.files) {
      mkdirs(path.slice(0, path.lastIndexOf("/")));
      FS.writeFile(path, data);
    }
    status = Number(await runStep!(JSON.stringify(request.config)));
    denied = JSON.parse(deniedOf!());
    if (FS.analyzePath(request.outputFile).exists) {
      outputText = FS.readFile(request.outputFile, { encoding: "utf8" }) as unknown as string;
    }
    files = collect(request.outputs);
  } catch (error) {
    // A fatal error of the interpreter (pyodide cannot go on): report it, end the worker.
    const message = error instanceof Error ? error.message : String(error);
    broken = true;
    status = 1;
    const notCapable = /NotCapable|Requires (\w+) access/.exec(message);
    if (notCapable) {
      denied = {
        kind: "pyodide",
        target: message.split("\n")[0],
        message: `lily: denied: ${message.split("\n")[0]} in python step ${request.config.step}` +
          "; the pyodide worker has no such permission",
      };
      status = PYODIDE_DENIED_STATUS;
    }
    stderr.write(
      new TextEncoder().encode(
        `lily: step ${request.config.step}: the interpreter stopped: ${message.split("\n")[0]}\n`,
      ),
    );
  }
  if (!broken) {
    try {
      resetStep!();
    } catch {
      broken = true;
    }
  }
  stdout.flush();
  stderr.flush();
  post({ kind: "done", status, denied, broken, outputText, files });
}

/** Decodes a request frame from the adapter. */
export function decodeRequest(type: WireType, payload: Uint8Array): WorkerRequest {
  const { meta, blobs } = unpackMessage<Record<string, unknown>>(payload);
  if (type === "I") {
    return {
      kind: "init",
      // Its own buffer: pyodide views the snapshot as 32-bit words (aligned).
      snapshot: blobs[0] ? blobs[0].slice() : null,
      makeSnapshot: meta.makeSnapshot === true,
    };
  }
  const paths = meta.paths as string[];
  return {
    kind: "run",
    config: meta.config as PyodideRunConfig,
    files: paths.map((p, i) => [p, blobs[i]]),
    dirs: meta.dirs as string[],
    outputFile: meta.outputFile as string,
    outputs: meta.outputs as string[],
  };
}

/**
 * Web storage persists to Deno's own directory without any write permission: a channel from one
 * step (or run) to the next. Python reaches globals through `import js`; these are removed.
 */
export function removeStorage(): void {
  for (const name of ["localStorage", "sessionStorage", "caches"]) {
    delete (globalThis as Record<string, unknown>)[name];
  }
}

if (import.meta.main) {
  removeStorage();
  // stdout carries frames only: whatever pyodide or Deno logs goes to stderr.
  const toStderr = (...args: unknown[]) =>
    Deno.stderr.writeSync(new TextEncoder().encode(args.map(String).join(" ") + "\n"));
  console.log =
    console.info =
    console.warn =
    console.debug =
      toStderr;
  for await (const frame of readWire(Deno.stdin.readable)) {
    const request = decodeRequest(frame.type, frame.payload);
    try {
      if (request.kind === "init") await init(request);
      else await run(request);
    } catch (error) {
      post({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    }
  }
}
