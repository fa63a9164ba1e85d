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

Deno.test({
  name:
    "a domain list admits only its hosts: other hosts, redirects and programs ignoring the proxy are refused",
  ignore: Deno.build.os !== "linux" || skipUnless("curl", "python3", "bwrap"),
  fn: async () => {
    const controller = new AbortController();
    const hits = { a: 0, b: 0 };
    const serverB = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen() {},
    }, () => {
      hits.b++;
      return new Response("B reached");
    });
    const b = serverB.addr.port;
    const serverA = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: controller.signal,
      onListen() {},
    }, (req) => {
      hits.a++;
      return new URL(req.url).pathname === "/redirect"
        ? Response.redirect(`http://127.0.0.1:${b}/`, 302)
        : new Response("A ok");
    });
    const a = serverA.addr.port;
    const step = (id: string, run: string, binaries = "curl") =>
      `  - id: ${id}
    uses: shell
    resources: {network: ["127.0.0.1:${a}"], binaries: [${binaries}]}
    with: {run: ${JSON.stringify(run)}}
`;
    const dir = await project({
      "flow.petal": `petal: "1"
name: domains
steps:
${step("allowed", `curl -sf http://127.0.0.1:${a}/ > allowed.txt`)}${
        step("tunnel", `curl -sfp http://127.0.0.1:${a}/ > tunnel.txt`)
      }${step("other", `curl -s http://127.0.0.1:${b}/ > other.txt`)}${
        step("redirect", `curl -sL http://127.0.0.1:${a}/redirect > redirect.txt`)
      }${step("bypass", `curl -s --noproxy '*' http://127.0.0.1:${b}/ > bypass.txt`)}${
        step(
          "python",
          `python3 -c 'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:${b}/", timeout=3).read())' > py.txt`,
          "python3",
        )
      }`,
    });
    try {
      const out = await run(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout + out.stderr);
      const m = latestManifest(dir);
      assertEquals(m.steps.allowed.status, "succeeded", out.stdout);
      assertEquals(Deno.readTextFileSync(`${dir}/allowed.txt`), "A ok");
      assertEquals(m.steps.tunnel.status, "succeeded", "CONNECT to a listed host works");
      assertEquals(Deno.readTextFileSync(`${dir}/tunnel.txt`), "A ok");
      assertMatch(m.steps.allowed.enforcement.mechanism, /proxy/);
      for (const id of ["other", "redirect", "python"]) {
        assertEquals(m.steps[id].status, "failed", id);
        assertEquals(
          m.steps[id].denied?.code,
          "LILY-E0824",
          `${id}: ${JSON.stringify(m.steps[id])}`,
        );
        assertEquals(m.steps[id].denied.target, `127.0.0.1:${b}`);
        // A refused host is a failure the network explains: the note names the list.
        assertMatch(m.steps[id].notes?.[0] ?? "", /network access to 127\.0\.0\.1:\d+ only/, id);
      }
      assertEquals(m.steps.bypass.status, "failed", "a program ignoring the proxy reaches nothing");
      assertEquals(hits.b, 0, "the unlisted server was never reached");
    } finally {
      controller.abort();
      await serverA.finished;
      await serverB.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
