// The pyodide worker's wire: frames and messages survive any split of the byte stream (a pipe
// delivers arbitrary chunks), blobs keep their bytes, a large frame is joined once.
import { assertEquals } from "../_assert.ts";
import {
  encodeWire,
  packMessage,
  readWire,
  unpackMessage,
} from "../../src/sandbox/pyodide_worker_wire.ts";

function streamOf(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const size = sizes[i++ % sizes.length];
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

Deno.test("wire: frames and messages decode the same whatever the chunking", async () => {
  const big = new Uint8Array(300_000).map((_, i) => i % 251);
  const frames = [
    encodeWire("O", new TextEncoder().encode("hello")),
    encodeWire(
      "R",
      packMessage({ config: { step: "s" }, paths: ["/a", "/b"] }, [big, new Uint8Array([1, 2])]),
    ),
    encodeWire("E", new Uint8Array(0)),
    encodeWire("D", packMessage({ status: 3 })),
  ];
  const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    all.set(f, at);
    at += f.length;
  }
  for (const sizes of [[1], [3, 7], [4096], [all.length], [5, 65536, 2]]) {
    const got = [];
    for await (const frame of readWire(streamOf(all, sizes))) got.push(frame);
    assertEquals(got.map((f) => f.type), ["O", "R", "E", "D"], String(sizes));
    assertEquals(new TextDecoder().decode(got[0].payload), "hello");
    const run = unpackMessage<{ config: { step: string }; paths: string[] }>(got[1].payload);
    assertEquals(run.meta.config.step, "s");
    assertEquals(run.meta.paths, ["/a", "/b"]);
    assertEquals(run.blobs[0], big);
    assertEquals([...run.blobs[1]], [1, 2]);
    assertEquals(got[2].payload.length, 0);
    assertEquals(unpackMessage<{ status: number }>(got[3].payload).meta.status, 3);
  }
});
