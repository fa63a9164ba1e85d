/**
 * Runs inside the network namespace a `docker` step with a domain list joins (which has only
 * a loopback): listens on 127.0.0.1:PORT and relays each connection to the Unix socket of
 * Lily's proxy, served by the engine outside the namespace (docker_proxy.ts). It decides
 * nothing: the proxy admits or refuses each host. Prints `ready` once it listens.
 * Usage: `docker_forwarder.ts SOCKET PORT`.
 * @module
 */
const [socket, port] = Deno.args;
const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(port) });
console.log("ready");

async function relay(conn: Deno.Conn): Promise<void> {
  let upstream: Deno.UnixConn;
  try {
    upstream = await Deno.connect({ transport: "unix", path: socket });
  } catch {
    conn.close();
    return;
  }
  const copy = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable, { preventClose: true });
      await to.closeWrite();
    } catch {
      // one side closed
    }
  };
  await Promise.all([copy(conn, upstream), copy(upstream, conn)]);
  try {
    conn.close();
  } catch { /* closed */ }
  try {
    upstream.close();
  } catch { /* closed */ }
}

for await (const conn of listener) void relay(conn);
