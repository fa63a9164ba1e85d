/**
 * Test helpers for Lily's shell: run a script in-process against a policy whose roots are a
 * fresh temporary directory, collecting stdout and stderr as text. Never touches the network.
 * @module
 */
import { parseScript } from "../../src/shell/parser.ts";
import { runScript } from "../../src/shell/exec.ts";
import type { Input, ShellPolicy, Sink } from "../../src/shell/types.ts";
import type { ShellDenied } from "../../src/shell/types.ts";

/** Real programs the tests may start, by name; only those present on this machine. */
export const BIN: Readonly<Record<string, string>> = findBinaries([
  "tr",
  "wc",
  "head",
  "yes",
  "sort",
  "dash",
]);

function findBinaries(names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    for (const dir of ["/usr/bin", "/bin"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) {
          out[name] = `${dir}/${name}`;
          break;
        }
      } catch {
        // not in this directory
      }
    }
  }
  return out;
}

/** The binaries a test needs; throws (so the test fails loudly) when one is missing. */
export function needBinaries(...names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const path = BIN[name];
    if (!path) throw new Error(`this test needs \`${name}\` in /usr/bin or /bin`);
    out[name] = path;
  }
  return out;
}

/** What a script run produced. */
export interface Outcome {
  exitCode: number;
  denied?: ShellDenied;
  spawned: number;
  stdout: string;
  stderr: string;
  /** Pids of the programs started, in order. */
  pids: number[];
}

/** Options for {@linkcode sh}. */
export interface ShOptions {
  /** The directory the script starts in (default: the policy's first write root). */
  cwd?: string;
  env?: Record<string, string>;
  /** Allowed programs (default: every one in {@linkcode BIN}). */
  binaries?: Record<string, string>;
  readRoots?: string[];
  writeRoots?: string[];
  denyRoots?: string[];
  stdin?: string;
  signal?: AbortSignal;
  /** The shell options the script starts with (default: errexit and pipefail on). */
  startOptions?: { errexit?: boolean; pipefail?: boolean; nounset?: boolean };
}

/** A temporary directory (its real path, so symlink checks see it as it is), removed after. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "lily_shell_test_" }));
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Parses and runs `script`; roots are `dir` unless the options say otherwise. */
export async function sh(script: string, dir: string, options: ShOptions = {}): Promise<Outcome> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const stdout: Sink = { write: (c) => void out.push(c.slice()) };
  const stderr: Sink = { write: (c) => void err.push(c.slice()) };
  const policy: ShellPolicy = {
    binaries: options.binaries ?? { ...BIN },
    readRoots: options.readRoots ?? [dir],
    writeRoots: options.writeRoots ?? [dir],
    denyRoots: options.denyRoots,
    allowHint: (kind, target) => `allow ${kind} ${target}`,
  };
  const stdin: Input = options.stdin === undefined
    ? { kind: "null" }
    : { kind: "bytes", data: new TextEncoder().encode(options.stdin) };
  const pids: number[] = [];
  const result = await runScript(parseScript(script), { stdin, stdout, stderr }, {
    cwd: options.cwd ?? dir,
    env: options.env ?? {},
    policy,
    signal: options.signal ?? new AbortController().signal,
    onSpawn: (pid) => void pids.push(pid),
    startOptions: options.startOptions,
  });
  return { ...result, stdout: decode(out), stderr: decode(err), pids };
}

function decode(chunks: Uint8Array[]): string {
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Runs `script` in a fresh temporary directory that is both the read and the write root. */
export function shIn(script: string, options: ShOptions = {}): Promise<Outcome> {
  return withTempDir((dir) => sh(script, dir, options));
}

/** Whether a process with this pid still exists and is not a zombie (Linux: from /proc). */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
