// The shell's sinks alone (src/shell/sinks.ts): a pipe whose reader has gone raises the
// shell's SIGPIPE, a pipe's read end can be closed under a reader that still holds it, and a
// command substitution's capture has a cap.
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { BrokenPipe, captureSink, ownedStream, pipeSink } from "../../src/shell/sinks.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("sinks: a write to a pipe whose reader cancelled is a BrokenPipe, then every write", async () => {
  const pipe = new TransformStream<Uint8Array>();
  const sink = pipeSink(pipe.writable);
  await pipe.readable.cancel();
  assert((await assertRejects(async () => await sink.write(bytes("x")))) instanceof BrokenPipe);
  assert((await assertRejects(async () => await sink.write(bytes("y")))) instanceof BrokenPipe);
  await sink.close(); // closing a broken pipe is not an error
});

Deno.test("sinks: stop() ends an owned stream for its reader and breaks the writer's pipe", async () => {
  const pipe = new TransformStream<Uint8Array>();
  const sink = pipeSink(pipe.writable);
  const owned = ownedStream(pipe.readable);
  const reader = owned.stream.getReader();
  const first = reader.read();
  await sink.write(bytes("a"));
  assertEquals(new TextDecoder().decode((await first).value), "a");
  await owned.stop();
  assertEquals((await reader.read()).done, true);
  assert((await assertRejects(async () => await sink.write(bytes("b")))) instanceof BrokenPipe);
});

Deno.test("sinks: a capture keeps what was written, and refuses more than its cap", async () => {
  const capture = captureSink(5);
  await capture.write(bytes("ab"));
  await capture.write(bytes("cde"));
  assertEquals(capture.text(), "abcde");
  const error = await assertRejects(async () => await capture.write(bytes("f")));
  assert(error instanceof Error && /more than 5 bytes/.test(error.message));
});
