// Network off is enforced by the OS: allowed programs (curl, bash's /dev/tcp, python3) cannot
// reach a server on this machine's loopback when the step's policy says `network: false`.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { skipUnless } from "../_tools.ts";
import { unshareAvailable } from "../../src/sandbox/linux.ts";
import { latestManifest, project, run } from "../run/_run.ts";

function flow(port: number, network: boolean): string {
  const url = `http://127.0.0.1:${port}/`;
  return `petal: "1"
name: net
steps:
  - id: curl
    uses: shell
    resources: {network: ${network}, binaries: [curl]}
    with: {run: "curl -s -m 3 ${url} > curl.txt"}
  - id: devtcp
    uses: shell
    resources: {network: ${network}, binaries: [bash]}
    with: {run: "bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}; printf \\"GET / HTTP/1.0\\\\r\\\\n\\\\r\\\\n\\" >&3; cat <&3' > tcp.txt"}
  - id: python
    uses: shell
    resources: {network: ${network}, binaries: [python3]}
    with: {run: "python3 -c 'import urllib.request; print(urllib.request.urlopen(\\"${url}\\", timeout=3).read().decode())' > py.txt"}
`;
}

Deno.test({
  name: "network off: curl, /dev/tcp and python3 cannot reach a local server; network on: they can",
  ignore: Deno.build.os !== "linux" || skipUnless("curl", "bash", "python3", "unshare"),
  fn: async () => {
    assert(
      unshareAvailable(),
      "`unshare -rn` does not work here (unprivileged user namespaces disabled?)",
    );
    const controller = new AbortController();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen() {},
    }, () => new Response("reached"));
    const port = server.addr.port;
    const off = await project({ "flow.petal": flow(port, false) });
    const on = await project({ "flow.petal": flow(port, true) });
    try {
      const denied = await run(off, ["--continue", "always"]);
      assertEquals(denied.code, 1, denied.stdout);
      const m = latestManifest(off);
      for (const id of ["curl", "devtcp", "python"]) {
        assertEquals(m.steps[id].status, "failed", `${id} must not reach the server`);
        assertEquals(m.steps[id].enforcement.network, "off");
        assertEquals(m.steps[id].enforcement.enforced, true);
        assertMatch(m.steps[id].enforcement.mechanism, /namespace/);
      }
      for (const file of ["curl.txt", "tcp.txt", "py.txt"]) {
        let text = "";
        try {
          text = Deno.readTextFileSync(`${off}/${file}`);
        } catch {
          // not written
        }
        assert(!text.includes("reached"), `${file}: ${text}`);
      }
      const allowed = await run(on);
      assertEquals(allowed.code, 0, allowed.stdout + allowed.stderr);
      assertEquals(Deno.readTextFileSync(`${on}/curl.txt`), "reached");
      assertMatch(Deno.readTextFileSync(`${on}/tcp.txt`), /reached/);
      assertMatch(Deno.readTextFileSync(`${on}/py.txt`), /reached/);
      // --isolation none runs unenforced, and the manifest says so.
      const unenforced = await run(off, ["--isolation", "none", "--only", "curl"]);
      assertEquals(unenforced.code, 0);
      assertEquals(latestManifest(off).steps.curl.enforcement.enforced, false);
    } finally {
      controller.abort();
      await server.finished;
      await Deno.remove(off, { recursive: true });
      await Deno.remove(on, { recursive: true });
    }
  },
});
