/**
 * Domain lists (`resources.network: [api.example.com, "*.cdn.org:443"]`), enforced: the host
 * runs in a network namespace with only a loopback, and serves an HTTP proxy there (CONNECT
 * for HTTPS, absolute URLs for HTTP). Steps get `HTTPS_PROXY`/`HTTP_PROXY`; a program that
 * ignores them reaches nothing at all. The proxy admits only listed hosts; an admitted
 * connection is opened by the engine's process (outside the namespace), which checks the list
 * again, and bytes flow through the host's pipe. A redirect to another host is a new request,
 * refused like any other. A refusal fails the step (LILY-E0824).
 * @module
 */

/** Whether `host:port` is on `list` (entries `host`, `host:port`, `*.suffix`, `*.suffix:port`). */
export function hostAllowed(list: readonly string[], host: string, port: number): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  for (const entry of list) {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase())!;
    const [, pattern, p] = m;
    if (p !== undefined && Number(p) !== port) continue;
    if (pattern === h) return true;
    if (pattern.startsWith("*.") && h.endsWith(pattern.slice(1))) return true;
  }
  return false;
}

/** What the proxy needs from its host: a tunnel to the outside, opened by the engine. */
export interface TunnelOpener {
  open(host: string, port: number): Promise<Tunnel | string>;
}

/** A byte stream to a remote host, through the engine. */
export interface Tunnel {
  write(chunk: Uint8Array): Promise<void>;
  /** Called with each chunk from the remote; `null` at its end. */
  onData(listener: (chunk: Uint8Array | null) => void): void;
  close(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A running proxy. */
export interface Proxy {
  port: number;
  /** Hosts refused since the last call (the host reports them with the attempt). */
  takeDenials(): string[];
  close(): void;
}

/** Starts the proxy on 127.0.0.1 (inside the host's namespace). */
export function startProxy(list: readonly string[], opener: TunnelOpener): Proxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let denials: string[] = [];
  (async () => {
    for await (const conn of listener) void serve(conn).catch(() => conn.close());
  })().catch(() => {});

  async function serve(conn: Deno.Conn): Promise<void> {
    // Read the request head (up to a blank line, at most 16 KiB).
    let head = new Uint8Array(0);
    const buffer = new Uint8Array(4096);
    let end = -1;
    while (end < 0) {
      const n = await conn.read(buffer);
      if (n === null) return conn.close();
      const merged = new Uint8Array(head.length + n);
      merged.set(head);
      merged.set(buffer.subarray(0, n), head.length);
      head = merged;
      end = decoder.decode(head).indexOf("\r\n\r\n");
      if (head.length > 16384) return reply(conn, 431, "request head too large");
    }
    const text = decoder.decode(head);
    const [requestLine] = text.split("\r\n");
    const [method, target] = requestLine.split(" ");
    let host: string, port: number, rest: Uint8Array | null = null;
    if (method === "CONNECT") {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target ?? "");
      if (!m) return reply(conn, 400, "bad CONNECT target");
      [host, port] = [m[1], Number(m[2])];
    } else {
      let url: URL;
      try {
        url = new URL(target ?? "");
      } catch {
        return reply(conn, 400, "only absolute URLs can be proxied");
      }
      if (url.protocol !== "http:") return reply(conn, 400, "only http: URLs can be proxied");
      host = url.hostname;
      port = Number(url.port || 80);
      // Forward the request as origin-form, bytes after the head untouched.
      const bodyStart = encoder.encode(text.slice(0, end + 4)).length;
      const lines = text.slice(0, end).split("\r\n");
      lines[0] = `${method} ${url.pathname}${url.search} ${
        requestLine.split(" ")[2] ?? "HTTP/1.1"
      }`;
      // One request per connection: the tunnel goes to this host only, so a kept-alive client
      // must come back (and be checked) for its next request.
      const filtered = lines.filter((l) => !/^(proxy-|connection:|keep-alive:)/i.test(l));
      filtered.push("Connection: close");
      const forwarded = encoder.encode(filtered.join("\r\n") + "\r\n\r\n");
      const tail = head.subarray(bodyStart);
      rest = new Uint8Array(forwarded.length + tail.length);
      rest.set(forwarded);
      rest.set(tail, forwarded.length);
    }
    if (!hostAllowed(list, host, port)) {
      denials.push(`${host}:${port}`);
      return reply(conn, 403, `Lily: ${host}:${port} is not in this step's network list`);
    }
    const tunnel = await opener.open(host, port);
    if (typeof tunnel === "string") return reply(conn, 502, tunnel);
    tunnel.onData((chunk) => {
      if (chunk === null) {
        try {
          conn.closeWrite();
        } catch {
          conn.close();
        }
        return;
      }
      conn.write(chunk).catch(() => tunnel.close());
    });
    if (method === "CONNECT") {
      await conn.write(encoder.encode("HTTP/1.1 200 Connection established\r\n\r\n"));
      const extra = head.subarray(end + 4);
      if (extra.length) await tunnel.write(extra);
    } else if (rest) await tunnel.write(rest);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        await tunnel.write(buffer.slice(0, n));
      }
    } finally {
      tunnel.close();
    }
  }

  async function reply(conn: Deno.Conn, status: number, message: string): Promise<void> {
    const body = message + "\n";
    const reason = { 400: "Bad Request", 403: "Forbidden", 431: "Too Large", 502: "Bad Gateway" }[
      status
    ] ?? "Error";
    await conn.write(
      encoder.encode(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      ),
    ).catch(() => {});
    conn.close();
  }

  return {
    port: (listener.addr as Deno.NetAddr).port,
    takeDenials() {
      const out = denials;
      denials = [];
      return out;
    },
    close() {
      listener.close();
    },
  };
}

/** The environment variables that send a step's programs through the proxy. */
export function proxyEnv(port: number): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    ALL_PROXY: url,
    all_proxy: url,
    NO_PROXY: "",
    no_proxy: "",
  };
}
