/**
 * Redirections (`<`, `>`, `>>`, `>|`, `&>`, `2>&1`, here-documents): the streams a command gets
 * instead of its parent's. A file is opened only after the policy allows the path; `/dev/null`,
 * `/dev/stdout` and `/dev/stderr` are the shell's own streams, never files.
 * @module
 */
import type { Redirect, Word } from "./ast.ts";
import { denialFrom } from "./policy.ts";
import { fileSink, writeText } from "./sinks.ts";
import { type Io, NULL_SINK, ShellDenied, ShellExit, type ShellPolicy } from "./types.ts";

const encoder = new TextEncoder();

/** What applying redirections needs from the shell. */
export interface RedirectHost {
  readonly policy: ShellPolicy;
  readonly noclobber: boolean;
  /** An absolute path for `path`, relative to the current directory. */
  resolvePath(path: string): string;
  checkRead(absPath: string): void;
  checkWrite(absPath: string): void;
  /** Expands a word to one string (no field splitting), its errors reported on `io.stderr`. */
  expandWord(word: Word, io: Io): Promise<string>;
}

/** The streams after redirection, and `close()` for the files they opened. */
export interface Redirected {
  io: Io;
  close(): Promise<void>;
}

const UNCHANGED_CLOSE = () => Promise.resolve();

/**
 * Applies `redirects` to `io`, left to right. A number is the status of a redirection that
 * failed (its message already on stderr; the command does not run); a denial is thrown.
 */
export async function applyRedirects(
  redirects: Redirect[],
  io: Io,
  host: RedirectHost,
): Promise<Redirected | number> {
  if (redirects.length === 0) return { io, close: UNCHANGED_CLOSE };
  const files: Deno.FsFile[] = [];
  const close = async () => {
    for (const f of files) {
      try {
        f.close();
      } catch {
        // closed by its stream
      }
    }
    await Promise.resolve();
  };
  let { stdin, stdout, stderr } = io;
  for (const r of redirects) {
    if (r.dup !== null) {
      const target = r.dup === 1 ? stdout : stderr;
      if (r.fd === 1) stdout = target;
      else stderr = target;
      continue;
    }
    if (r.op === "<<") {
      let text: string;
      try {
        text = await host.expandWord(r.heredoc!.body, io);
      } catch (error) {
        // As in dash: an expansion error in a here-document fails the command, not the shell.
        if (!(error instanceof ShellExit)) throw error;
        await close();
        return error.code;
      }
      stdin = { kind: "bytes", data: encoder.encode(text) };
      continue;
    }
    const name = await host.expandWord(r.target!, io);
    if (name === "") {
      await close();
      await writeText(io.stderr, "lily-shell: : No such file or directory\n");
      return 1;
    }
    if (name === "/dev/null") {
      if (r.op === "<") stdin = { kind: "null" };
      else {
        if (r.fd === 1 || r.fd === "&") stdout = NULL_SINK;
        if (r.fd === 2 || r.fd === "&") stderr = NULL_SINK;
      }
      continue;
    }
    if (name === "/dev/stderr" || name === "/dev/stdout") {
      const target = name === "/dev/stderr" ? stderr : stdout;
      if (r.fd === 1 || r.fd === "&") stdout = target;
      if (r.fd === 2 || r.fd === "&") stderr = target;
      continue;
    }
    const path = host.resolvePath(name);
    try {
      if (r.op === "<") {
        host.checkRead(path);
        const file = await Deno.open(path, { read: true });
        files.push(file);
        stdin = { kind: "stream", stream: file.readable };
      } else {
        host.checkWrite(path);
        if (host.noclobber && r.op === ">" && !r.force) {
          const existing = await Deno.stat(path).catch(() => undefined);
          if (existing?.isFile) {
            await close();
            await writeText(io.stderr, `lily-shell: ${name}: cannot overwrite existing file\n`);
            return 1;
          }
        }
        const file = await Deno.open(path, {
          write: true,
          create: true,
          truncate: r.op === ">",
          append: r.op === ">>",
        });
        files.push(file);
        const sink = fileSink(file);
        if (r.fd === 1 || r.fd === "&") stdout = sink;
        if (r.fd === 2 || r.fd === "&") stderr = sink;
      }
    } catch (error) {
      await close();
      if (error instanceof ShellDenied) throw error;
      if (error instanceof Deno.errors.NotCapable) throw denialFrom(error, host.policy);
      const why = error instanceof Deno.errors.NotFound
        ? "No such file or directory"
        : error instanceof Deno.errors.IsADirectory
        ? "Is a directory"
        : (error as Error).message;
      await writeText(io.stderr, `lily-shell: ${name}: ${why}\n`);
      return 1;
    }
  }
  return { io: { stdin, stdout, stderr }, close };
}
