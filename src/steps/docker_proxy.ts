/**
 * Domain lists for `docker` steps, through the same proxy as the host sandbox (sandbox/proxy.ts):
 * the container joins a network namespace that has only a loopback (`--network ns:…`), where a
 * small forwarder (docker_forwarder.ts) listens on 127.0.0.1:3128 and relays to a Unix socket
 * (file systems cross namespaces, networks do not). Behind the socket, in the engine, the proxy
 * admits only listed hosts and opens admitted connections itself. The container gets
 * `HTTP_PROXY`/`HTTPS_PROXY`; a program that ignores them reaches nothing. Needs root (a
 * network namespace of its own); one per domain list and run.
 * @module
 */
import { join } from "node:path";
import { hostAllowed, proxyEnv, startProxy, type Tunnel } from "../sandbox/proxy.ts";
import { which } from "./docker_engine.ts";

/** The port the forwarder listens on, inside its own namespace. */
const PORT = 3128;

/** A running proxy for containers. */
export interface DockerProxy {
  /** `--network` value for the container: the forwarder's namespace. */
  network: string;
  /** Proxy variables for the container. */
  env: Record<string, string>;
  /** Hosts refused since the last call. */
  takeDenials(): string[];
  /** Stops the forwarder and the proxy, removes the socket's directory. */
  close(): Promise<void>;
}

/** Starts the proxy, its Unix socket and the forwarder's namespace. */
export async function startDockerProxy(list: string[], _scratch: string): Promise<DockerProxy> {
  if (Deno.build.os !== "linux") throw new Error("network namespaces are Linux's");
  if (Deno.build.standalone) throw new Error("a compiled Lily cannot start the forwarder");
  const unshare = which("unshare");
  const ip = which("ip");
  if (!unshare || !ip) throw new Error("`unshare` and `ip` are needed (util-linux, iproute2)");
  const proxy = startProxy(list, {
    async open(host, port): Promise<Tunnel | string> {
      if (!hostAllowed(list, host, port)) return "not on the list";
      let conn: Deno.TcpConn;
      try {
        conn = await Deno.connect({ hostname: host, port });
      } catch (error) {
        return (error as Error).message;
      }
      let listener: ((chunk: Uint8Array | null) => void) | undefined;
      const pending: (Uint8Array | null)[] = [];
      (async () => {
        try {
          for await (const chunk of conn.readable) {
            listener ? listener(chunk) : pending.push(chunk);
          }
        } catch { /* closed */ }
        listener ? listener(null) : pending.push(null);
      })();
      return {
        write: (chunk) => conn.write(chunk).then(() => {}),
        onData(l) {
          listener = l;
          for (const chunk of pending.splice(0)) l(chunk);
        },
        close: () => {
          try {
            conn.close();
          } catch { /* closed */ }
        },
      };
    },
  });
  const dir = await Deno.makeTempDir({ prefix: "lily-dproxy-" });
  await Deno.chmod(dir, 0o700);
  const socket = join(dir, "proxy.sock");
  const unixListener = Deno.listen({ transport: "unix", path: socket });
  (async () => {
    for await (const conn of unixListener) {
      void (async () => {
        let tcp: Deno.TcpConn;
        try {
          tcp = await Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
        } catch {
          conn.close();
          return;
        }
        // The client's end of writing is not passed on: the proxy would close the tunnel
        // before the reply (a client such as `nc` half-closes after its request). The reply's
        // end closes both sides.
        const up = copyHalf(conn, tcp, false);
        await copyHalf(tcp, conn);
        for (const c of [conn, tcp]) {
          try {
            c.close();
          } catch { /* closed */ }
        }
        await up;
      })();
    }
  })().catch(() => {});
  const forwarder = new URL("./docker_forwarder.ts", import.meta.url).href;
  const child = new Deno.Command(unshare, {
    args: [
      "--net",
      "--",
      "/bin/sh",
      "-c",
      `"$0" link set lo up && exec "$@"`,
      ip,
      Deno.execPath(),
      "run",
      "--no-config",
      "--no-lock",
      "--quiet",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      // Its namespace has only a loopback; the Unix socket needs net access in Deno 2.
      "--allow-net",
      forwarder,
      socket,
      String(PORT),
    ],
    // Held open by this process and never written: the forwarder exits at its end, so it
    // dies with the engine even when the engine is killed (docker_forwarder.ts).
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const first = await reader.read();
  if (first.value?.trim() !== "ready") {
    const err = await new Response(child.stderr).text().catch(() => "");
    unixListener.close();
    proxy.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error(`the forwarder did not start: ${err.trim().split("\n").pop() ?? ""}`);
  }
  void child.stderr.cancel().catch(() => {});
  return {
    network: `ns:/proc/${child.pid}/ns/net`,
    env: proxyEnv(PORT),
    takeDenials: () => proxy.takeDenials(),
    async close() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.stdin.close().catch(() => {});
      await reader.cancel().catch(() => {});
      await child.status;
      unixListener.close();
      proxy.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Copies one direction of a connection until its end, then closes the other side's writing
 * half. Reads and writes by hand: a Deno conn's `readable` closes the whole socket at its end,
 * which would cut the reply still coming the other way.
 */
async function copyHalf(from: Deno.Conn, to: Deno.Conn, halfClose = true): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      let written = 0;
      while (written < n) written += await to.write(buffer.subarray(written, n));
    }
    if (halfClose) await to.closeWrite();
  } catch {
    // one side closed
  }
}
