// The red team's escapes from a sandbox host, tried by one hostile step (_probe.py) in each of
// the four configurations (root / unprivileged × bubblewrap / the unshare fallback): the
// engine's environment through /proc, writes through /proc/<pid>/root, setns into the host's
// network, signalling the engine, descriptors inherited from Lily's caller, the terminal, a
// host service's unix socket, and Lily's own state. What a configuration does not hold must
// be said in the manifest's enforcement record.
import { assert, assertEquals } from "../_assert.ts";
import { latestManifest } from "../run/_run.ts";
import {
  cleanup,
  CONFIGS,
  denoDirFor,
  projectIn,
  runIn,
  skipConfig,
  TEST_USER,
} from "./_configs.ts";

const PROBE = new URL("./_probe.py", import.meta.url).pathname;

function flow(): string {
  return `petal: "1"
name: probe
steps:
  - id: probe
    uses: shell
    resources:
      binaries: [python3]
    with:
      run: python3 probe.py "$(cat settings.json)"
`;
}

/** A TCP server that records what reaches it. */
function tcpServer(): { port: number; received: () => string; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let text = "";
  void (async () => {
    for await (const conn of listener) {
      void (async () => {
        try {
          for await (const chunk of conn.readable) text += new TextDecoder().decode(chunk);
        } catch {
          // closed
        }
      })();
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    received: () => text,
    close: () => listener.close(),
  };
}

for (const config of CONFIGS) {
  Deno.test({
    name:
      `attack [${config.name}]: a step cannot reach the engine, its caller's descriptors, the terminal or Lily's state`,
    ignore: skipConfig(config),
    async fn() {
      const server = tcpServer();
      const outside = await Deno.makeTempDir({ prefix: "lily-outside-" });
      const sockDir = await Deno.makeTempDir({ prefix: "lily-sock-" });
      const unixPath = `${sockDir}/service.sock`;
      const unix = Deno.listen({ transport: "unix", path: unixPath });
      let unixHit = false;
      void (async () => {
        for await (const conn of unix) {
          unixHit = true;
          conn.close();
        }
      })().catch(() => {});
      const dir = await projectIn(config, {
        "flow.petal": flow(),
        "probe.py": Deno.readTextFileSync(PROBE),
        ".xdg/lily/planted.txt": "CACHE-STATE",
      });
      const denoCache = denoDirFor(config);
      try {
        await Deno.chmod(outside, 0o777);
        await Deno.chmod(sockDir, 0o777);
        await Deno.chmod(unixPath, 0o777);
        const secret = `hunter2-${crypto.randomUUID()}`;
        await Deno.mkdir(`${dir}/.lily`, { recursive: true });
        Deno.writeTextFileSync(`${dir}/.lily/planted.txt`, "LILY-STATE");
        const settings = {
          secret,
          outside,
          port: server.port,
          unix_socket: unixPath,
          user_cache_file: `${dir}/.xdg/lily/planted.txt`,
          deno_dir: denoCache,
          engine_pid: 0,
        };
        // The engine's pid is the wrapper's (it execs Deno); the step gets it from a file.
        const wrapper = [
          "bash",
          "-c",
          `exec 5<>/dev/tcp/127.0.0.1/${server.port}; ` +
          `sed "s/\\"engine_pid\\": 0/\\"engine_pid\\": $$/" settings.in > settings.json; ` +
          `exec "$@"`,
          "wrap",
        ];
        Deno.writeTextFileSync(`${dir}/settings.in`, JSON.stringify(settings, null, 1));
        if (config.unprivileged) {
          await new Deno.Command("chown", { args: ["-R", `${TEST_USER}:`, dir] }).output();
        }
        const out = await runIn(config, dir, [], {
          env: { LILY_SECRET_PROBE: secret },
          wrap: wrapper,
        });
        assertEquals(out.code, 0, out.stdout + out.stderr);
        const found = JSON.parse(Deno.readTextFileSync(`${dir}/probe.json`));
        const what = JSON.stringify(found);
        assertEquals(found.cap_eff, "0000000000000000", `no capabilities: ${what}`);
        assertEquals(found.environ_leaks, [], `no environment holds the secret: ${what}`);
        assertEquals(found.setns_escapes, [], `no setns into another network: ${what}`);
        assertEquals(found.engine_signalable, false, `the engine is out of reach: ${what}`);
        assertEquals(found.fds, [], `stdin, stdout, stderr only: ${what}`);
        assertEquals(found.fd5_write, false);
        assertEquals(found.tty, false, `no controlling terminal: ${what}`);
        assertEquals(found.dot_lily, null, `.lily/ is out of reach: ${what}`);
        assertEquals(found.user_cache, null, `the user cache is out of reach: ${what}`);
        assertEquals(found.deno_dir_write, false, `Deno's cache is read-only: ${what}`);
        assert(!/ESCAPE/.test(server.received()), `the server got: ${server.received()}`);
        const record = latestManifest(dir).steps.probe.enforcement;
        assertEquals(record.tree_kill, "pid namespace");
        if (config.sandbox === "bwrap") {
          assertEquals(found.proc_root_writes, [], `no write via /proc/<pid>/root: ${what}`);
          assertEquals([...Deno.readDirSync(outside)].length, 0, "nothing written outside");
          assertEquals(found.unix_socket, false, `host unix sockets are out of view: ${what}`);
          assertEquals(unixHit, false);
          assertEquals(found.uid, config.unprivileged ? uidOf(TEST_USER) : 65534);
        } else {
          // The fallback has no file-system view (programs write where the user may, so
          // through /proc/1/root too, which is the same tree): it says so instead.
          assertEquals(found.uid, 0);
          assert(/reachable/.test(record.holds.unix_sockets), JSON.stringify(record));
          assert(/built-ins only/.test(record.filesystem), JSON.stringify(record));
        }
      } finally {
        server.close();
        unix.close();
        await Deno.remove(`${denoCache}/pwned`).catch(() => {});
        await Deno.remove(outside, { recursive: true });
        await Deno.remove(sockDir, { recursive: true }).catch(() => {});
        await cleanup(dir);
      }
    },
  });
}

function uidOf(user: string): number {
  const out = new Deno.Command("id", { args: ["-u", user], stdout: "piped" }).outputSync();
  return Number(new TextDecoder().decode(out.stdout).trim());
}
