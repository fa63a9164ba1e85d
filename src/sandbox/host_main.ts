/**
 * A sandbox host: a long-lived Deno process started with exactly one step policy's
 * permissions (and, on Linux, inside its own network namespace). It runs the attempts the
 * engine sends (protocol.ts), one or more at a time, and reports output and results. It has
 * no permission of its own beyond the step's, imports nothing but Lily's shell, and ends when
 * its stdin closes (the engine is done, or gone).
 * @module
 */
import { type ExecSpec, execute } from "./execute.ts";
import { FrameWriter, readFrames } from "./protocol.ts";

const out = new FrameWriter(async (bytes) => {
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
});
const decoder = new TextDecoder();
const running = new Map<number, { controller: AbortController; done: Promise<void> }>();

await out.send("H", 0, JSON.stringify({ pid: Deno.pid, deno: Deno.version.deno }));

try {
  for await (const frame of readFrames(Deno.stdin.readable)) {
    if (frame.type === "C") {
      running.get(frame.id)?.controller.abort();
      continue;
    }
    if (frame.type !== "S") continue;
    const id = frame.id;
    const spec = JSON.parse(decoder.decode(frame.payload)) as ExecSpec;
    const controller = new AbortController();
    const done = execute(
      spec,
      {
        stdout: { write: (chunk) => out.send("O", id, chunk) },
        stderr: { write: (chunk) => out.send("E", id, chunk) },
      },
      controller.signal,
      { onSpawn: (pid) => void out.send("P", id, String(pid)) },
    )
      .then((outcome) => out.send("R", id, JSON.stringify(outcome)))
      .catch((error) =>
        out.send(
          "R",
          id,
          JSON.stringify({
            exitCode: null,
            signal: null,
            durationMs: 0,
            spawned: 0,
            error: { code: "LILY-E0813", message: `the sandbox host failed: ${error?.message}` },
          }),
        )
      )
      .finally(() => running.delete(id));
    running.set(id, { controller, done });
  }
} finally {
  // The engine is gone: stop what runs and leave.
  for (const { controller } of running.values()) controller.abort();
  await Promise.allSettled([...running.values()].map((r) => r.done));
}
