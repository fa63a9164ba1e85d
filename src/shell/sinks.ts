/**
 * Where output goes inside the interpreter: pipes between the stages of a pipeline, files opened
 * by a redirection, the capture of a command substitution, and the broken-pipe signal a write to
 * a pipe whose reader has gone raises. Nothing here starts a process or checks a policy.
 * @module
 */
import type { Sink } from "./types.ts";

const encoder = new TextEncoder();

/** A write to a pipe whose reader has gone (the shell's SIGPIPE). */
export class BrokenPipe extends Error {}

/**
 * Writes `text` to `sink` (nothing to a null sink).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { writeText } from "./sinks.ts";
 * const chunks: Uint8Array[] = [];
 * await writeText({ write: (c) => void chunks.push(c) }, "hi\n");
 * assert(new TextDecoder().decode(chunks[0]) === "hi\n");
 * ```
 */
export async function writeText(sink: Sink, text: string): Promise<void> {
  if (!sink.isNull) await sink.write(encoder.encode(text));
}

/** The write end of a pipe: a write after the reader has gone throws {@linkcode BrokenPipe}. */
export function pipeSink(
  writable: WritableStream<Uint8Array>,
): Sink & { close(): Promise<void> } {
  const writer = writable.getWriter();
  let broken = false;
  return {
    async write(chunk) {
      if (broken) throw new BrokenPipe();
      try {
        await writer.write(chunk);
      } catch {
        broken = true;
        throw new BrokenPipe();
      }
    },
    async close() {
      try {
        await writer.close();
      } catch {
        // the reader is gone
      }
    },
  };
}

/**
 * The read end of a pipe, held by the shell: the stage reads `stream`, and `stop()` closes the
 * pipe when the stage ends, even while a built-in still holds `stream` (the writer then gets a
 * broken pipe instead of waiting forever for a reader).
 */
export function ownedStream(
  source: ReadableStream<Uint8Array>,
): { stream: ReadableStream<Uint8Array>; stop(): Promise<void> } {
  const reader = source.getReader();
  let stopped = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done || stopped) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      stopped = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    stream,
    stop: async () => {
      stopped = true;
      await reader.cancel().catch(() => {});
    },
  };
}

/** A sink that writes every byte of each chunk to `file` (a redirection's target). */
export function fileSink(file: Deno.FsFile): Sink {
  return {
    async write(chunk) {
      let written = 0;
      while (written < chunk.length) written += await file.write(chunk.subarray(written));
    },
  };
}

/**
 * The sink of a command substitution: it keeps what is written, up to `max` bytes (more is an
 * error, so that a runaway `$( )` cannot exhaust memory), and `text()` decodes it.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { captureSink } from "./sinks.ts";
 * const capture = captureSink(4);
 * await capture.write(new TextEncoder().encode("abc"));
 * assert(capture.text() === "abc");
 * ```
 */
export function captureSink(max: number): Sink & { text(): string } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    write(chunk) {
      size += chunk.length;
      if (size > max) throw new Error(`a command substitution captured more than ${max} bytes`);
      chunks.push(chunk);
    },
    text() {
      const all = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return new TextDecoder().decode(all);
    },
  };
}
