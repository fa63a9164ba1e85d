/**
 * The wire between the engine and a sandbox host: binary frames on the host's stdin and
 * stdout. A frame is a type byte, a 32-bit attempt id, a 32-bit length and the payload.
 * Engine → host: `S` start (ExecSpec JSON), `C` cancel. Host → engine: `H` hello, `P` a
 * program started (its pid, for tree kills), `O`/`E` stdout/stderr bytes, `R` result
 * (ExecOutcome JSON). Frames are written whole and in order; output frames are awaited
 * (back-pressure reaches the step).
 * @module
 */

/**
 * Frame types. Tunnels for domain lists (proxy.ts), by tunnel id: host → engine `T` open
 * (`{host, port}`), `U` bytes up, `X` closed; engine → host `K` opened (`{ok, error?}`),
 * `W` bytes down, `Z` closed.
 */
export type FrameType =
  | "S"
  | "C"
  | "H"
  | "P"
  | "O"
  | "E"
  | "R"
  | "T"
  | "U"
  | "X"
  | "K"
  | "W"
  | "Z";

/** A decoded frame. */
export interface Frame {
  type: FrameType;
  id: number;
  payload: Uint8Array;
}

const HEADER = 9;
/** The largest frame accepted (output is sent in smaller chunks). */
export const MAX_FRAME = 64 << 20;

const encoder = new TextEncoder();

/** Encodes a frame; `payload` may be text (UTF-8) or bytes. */
export function encodeFrame(type: FrameType, id: number, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const out = new Uint8Array(HEADER + body.length);
  out[0] = type.charCodeAt(0);
  const view = new DataView(out.buffer);
  view.setUint32(1, id);
  view.setUint32(5, body.length);
  out.set(body, HEADER);
  return out;
}

/** Decodes frames from a byte stream as they complete. */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  let buffer: Uint8Array = new Uint8Array(0);
  let start = 0;
  for await (const chunk of stream) {
    if (start === buffer.length) {
      buffer = chunk;
      start = 0;
    } else {
      const merged = new Uint8Array(buffer.length - start + chunk.length);
      merged.set(buffer.subarray(start));
      merged.set(chunk, buffer.length - start);
      buffer = merged;
      start = 0;
    }
    while (buffer.length - start >= HEADER) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + start, HEADER);
      const length = view.getUint32(5);
      if (length > MAX_FRAME) throw new Error(`frame of ${length} bytes is over the limit`);
      if (buffer.length - start < HEADER + length) break;
      const type = String.fromCharCode(buffer[start]) as FrameType;
      const id = view.getUint32(1);
      // Copy: the buffer is reused.
      const payload = buffer.slice(start + HEADER, start + HEADER + length);
      start += HEADER + length;
      yield { type, id, payload };
    }
  }
}

/** Writes frames in order to a writer, one at a time. */
export class FrameWriter {
  #chain: Promise<void> = Promise.resolve();
  #broken = false;
  constructor(
    private readonly write: (bytes: Uint8Array) => Promise<unknown>,
    private readonly end: () => Promise<unknown> = () => Promise.resolve(),
  ) {}

  /** Closes the stream after the frames queued so far. */
  close(): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      try {
        await this.end();
      } catch {
        // already closed
      }
    });
    return this.#chain;
  }

  /** Queues a frame; resolves when it is written. */
  send(type: FrameType, id: number, payload: Uint8Array | string = ""): Promise<void> {
    const frame = encodeFrame(type, id, payload);
    this.#chain = this.#chain.then(async () => {
      if (this.#broken) return;
      try {
        await this.write(frame);
      } catch {
        this.#broken = true;
      }
    });
    return this.#chain;
  }
}
