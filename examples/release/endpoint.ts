/**
 * The release example's publish endpoint: a small HTTP server on 127.0.0.1:8809 that accepts
 * `POST /releases` (the publish step) and `POST /notify` (the included notification), answers
 * `201 {"id": N}` and appends each request it accepted to `out/endpoint/received.jsonl` (in this
 * example's folder) as `{"path", "body"}`. Anything else is a 404.
 *
 * ```sh
 * deno run -A examples/release/endpoint.ts                          # serve until Ctrl-C
 * deno run -A examples/release/endpoint.ts run examples/release/release.petal --approve approve
 * ```
 *
 * With arguments it runs `lily <arguments>` beside the endpoint (stdin, stdout and stderr are
 * lily's, so a gate still asks at a terminal), stops the endpoint when lily exits and exits with
 * lily's status: one command from a fresh clone, no server left behind.
 * @module
 */

/** The port of the workflow's default `endpoint` param. */
export const PORT = 8809;

/** Starts the endpoint; resolves once it listens. `log` receives each accepted request. */
export function serveEndpoint(log: string): { close(): Promise<void> } {
  const controller = new AbortController();
  let id = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: PORT, signal: controller.signal, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (request.method !== "POST" || !["/releases", "/notify"].includes(path)) {
        return Response.json({ error: `no route ${request.method} ${path}` }, { status: 404 });
      }
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        return Response.json({ error: "the body is not JSON" }, { status: 400 });
      }
      await Deno.writeTextFile(log, JSON.stringify({ path, body }) + "\n", { append: true });
      return Response.json({ id: ++id }, { status: 201 });
    },
  );
  return {
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}

if (import.meta.main) {
  const here = new URL(".", import.meta.url).pathname;
  const root = new URL("../../", import.meta.url).pathname;
  await Deno.mkdir(`${here}out/endpoint`, { recursive: true });
  const log = `${here}out/endpoint/received.jsonl`;
  const endpoint = serveEndpoint(log);
  console.error(`endpoint: http://127.0.0.1:${PORT} (requests → ${log})`);
  if (Deno.args.length === 0) {
    Deno.addSignalListener("SIGINT", () => endpoint.close().then(() => Deno.exit(0)));
  } else {
    const lily = new Deno.Command(Deno.execPath(), {
      // The real path: a checkout reached through a symbolic link runs its sandbox host from
      // the link's target.
      args: [
        "run",
        "-A",
        "--v8-flags=--max-semi-space-size=1",
        Deno.realPathSync(`${root}mod.ts`),
        ...Deno.args,
      ],
    }).spawn();
    const { code } = await lily.status;
    await endpoint.close();
    Deno.exit(code);
  }
}
