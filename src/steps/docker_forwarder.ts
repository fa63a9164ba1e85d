/**
 * Runs inside the network namespace a `docker` step with a domain list joins (which has only
 * a loopback): listens on 127.0.0.1:PORT and relays each connection to the Unix socket of
 * Lily's proxy, served by the engine outside the namespace (docker_proxy.ts). It decides
 * nothing: the proxy admits or refuses each host. Prints `ready` once it listens, and exits
 * when its standard input ends: the engine holds the other end of that pipe, so a killed
 * engine (even by SIGKILL) never leaves a forwarder behind.
 * Usage: `docker_forwarder.ts SOCKET PORT`.
 * @module
 */
const [socket, port] = Deno.args;
const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(port) });
console.log("ready");

// The engine's end of stdin closes when it exits, however it exits.
void (async () => {
  const buffer = new Uint8Array(64);
  try {
    while ((await Deno.stdin.read(buffer)) !== null) { /* nothing is sent */ }
  } catch { /* closed */ }
  Deno.exit(0);
})();

async function relay(conn: Deno.Conn): Promise<void> {
  let upstream: Deno.UnixConn;
  try {
    upstream = await Deno.connect({ transport: "unix", path: socket });
  } catch {
    conn.close();
    return;
  }
  await Promise.all([copyHalf(conn, upstream), copyHalf(upstream, conn)]);
  try {
    conn.close();
  } catch { /* closed */ }
  try {
    upstream.close();
  } catch { /* closed */ }
}

for await (const conn of listener) void relay(conn);

/**
 * Copies one direction of a connection until its end, then closes the other side's writing
 * half. Reads and writes by hand: a Deno conn's `readable` closes the whole socket at its end,
 * which would cut the reply still coming the other way.
 */
async function copyHalf(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      let written = 0;
      while (written < n) written += await to.write(buffer.subarray(written, n));
    }
    await to.closeWrite();
  } catch {
    // one side closed
  }
}
