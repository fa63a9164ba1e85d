/**
 * The wire between the `python` adapter (adapters/python.ts) and a pyodide worker process
 * (pyodide_worker.ts): frames on the worker's stdin and stdout. A frame is a type byte, a
 * 32-bit length and the payload. `O`/`E` frames carry raw stdout/stderr bytes; the others
 * carry a message: a 32-bit JSON length, the JSON, then the binary blobs the JSON's `blobs`
 * field gives the lengths of (files, the memory snapshot).
 *
 * Adapter → worker: `I` init, `R` run a step. Worker → adapter: `Y` ready, `O`/`E` output,
 * `D` a step is done, `F` failed.
 * @module
 */

/** Frame types (see the module doc). */
export type WireType = "I" | "R" | "Y" | "O" | "E" | "D" | "F";

/** A decoded frame. */
export interface WireFrame {
  type: WireType;
  payload: Uint8Array;
}

const HEADER = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes one frame. */
export function encodeWire(type: WireType, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, HEADER);
  return out;
}

/** A message payload: JSON (with `blobs`: their lengths) followed by the blobs. */
export function packMessage(meta: Record<string, unknown>, blobs: Uint8Array[] = []): Uint8Array {
  const json = encoder.encode(JSON.stringify({ ...meta, blobs: blobs.map((b) => b.length) }));
  let size = 4 + json.length;
  for (const b of blobs) size += b.length;
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  let at = 4 + json.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Decodes a message payload: its JSON and its blobs (views into the payload). */
export function unpackMessage<T>(payload: Uint8Array): { meta: T; blobs: Uint8Array[] } {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const length = view.getUint32(0);
  const meta = JSON.parse(decoder.decode(payload.subarray(4, 4 + length)));
  const blobs: Uint8Array[] = [];
  let at = 4 + length;
  for (const size of meta.blobs as number[]) {
    blobs.push(payload.subarray(at, at + size));
    at += size;
  }
  return { meta, blobs };
}

/** Reads frames from a byte stream as they complete (a large frame is joined once). */
export async function* readWire(stream: ReadableStream<Uint8Array>): AsyncGenerator<WireFrame> {
  let chunks: Uint8Array[] = [];
  let total = 0;
  const join = (): Uint8Array => {
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    chunks = [out];
    return out;
  };
  let need = HEADER;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.length;
    while (total >= need) {
      let buffer = join();
      const length = new DataView(buffer.buffer, buffer.byteOffset + 1, 4).getUint32(0);
      need = HEADER + length;
      if (total < need) break;
      const type = String.fromCharCode(buffer[0]) as WireType;
      yield { type, payload: buffer.slice(HEADER, need) };
      buffer = buffer.subarray(need);
      chunks = buffer.length ? [buffer] : [];
      total = buffer.length;
      need = HEADER;
    }
  }
}
