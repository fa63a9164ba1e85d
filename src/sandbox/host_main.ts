/**
 * A sandbox host: a long-lived Deno process started with exactly one step policy's
 * permissions (and, on Linux, inside its own network namespace). It runs the attempts the
 * engine sends (protocol.ts), one or more at a time, and reports output and results. It has
 * no permission of its own beyond the step's, imports nothing but Lily's shell, and ends when
 * its stdin closes (the engine is done, or gone).
 * @module
 */
import { type ExecOutcome, type ExecSpec, execute } from "./execute.ts";
import { FrameWriter, readFrames } from "./protocol.ts";
import { type Proxy, proxyEnv, startProxy, type Tunnel } from "./proxy.ts";

const out = new FrameWriter(async (bytes) => {
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
});
const decoder = new TextDecoder();
const running = new Map<number, { controller: AbortController; done: Promise<void> }>();

// Domain lists: a proxy on this namespace's loopback; connections go out through the engine.
const tunnels = new Map<number, {
  opened: (ok: { ok: boolean; error?: string }) => void;
  listener?: (chunk: Uint8Array | null) => void;
}>();
let nextTunnel = 1;
const list = Deno.args.find((a) => a.startsWith("--proxy="))?.slice(8).split(",").filter(Boolean);
const proxy: Proxy | undefined = list
  ? startProxy(list, {
    open(host, port) {
      const id = nextTunnel++;
      return new Promise<Tunnel | string>((resolve) => {
        tunnels.set(id, {
          opened: (answer) => {
            if (!answer.ok) {
              tunnels.delete(id);
              return resolve(`Lily could not connect to ${host}:${port}: ${answer.error}`);
            }
            resolve({
              write: (chunk) => out.send("U", id, chunk),
              onData: (listener) => void (tunnels.get(id)!.listener = listener),
              close: () => {
                if (tunnels.delete(id)) void out.send("X", id);
              },
            });
          },
        });
        void out.send("T", id, JSON.stringify({ host, port }));
      });
    },
  })
  : undefined;

/** A request the proxy refused during the attempt is the attempt's denial. */
function withProxyDenial(outcome: ExecOutcome): ExecOutcome {
  const refused = proxy?.takeDenials() ?? [];
  if (!refused.length || outcome.denied) return outcome;
  return {
    ...outcome,
    denied: {
      kind: "net",
      target: refused[0],
      message: `connecting to \`${refused[0]}\` is not allowed by the step's policy`,
    },
  };
}

await out.send("H", 0, JSON.stringify({ pid: Deno.pid, deno: Deno.version.deno }));

try {
  for await (const frame of readFrames(Deno.stdin.readable)) {
    if (frame.type === "C") {
      running.get(frame.id)?.controller.abort();
      continue;
    }
    if (frame.type === "K") {
      tunnels.get(frame.id)?.opened(JSON.parse(decoder.decode(frame.payload)));
      continue;
    }
    if (frame.type === "W") {
      tunnels.get(frame.id)?.listener?.(frame.payload);
      continue;
    }
    if (frame.type === "Z") {
      tunnels.get(frame.id)?.listener?.(null);
      tunnels.delete(frame.id);
      continue;
    }
    if (frame.type !== "S") continue;
    const id = frame.id;
    const spec = JSON.parse(decoder.decode(frame.payload)) as ExecSpec;
    if (proxy) {
      proxy.takeDenials();
      Object.assign(spec.env, proxyEnv(proxy.port));
    }
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
      .then((outcome) => out.send("R", id, JSON.stringify(withProxyDenial(outcome))))
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
  proxy?.close();
}
