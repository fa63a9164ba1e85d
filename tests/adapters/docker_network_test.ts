// The network of `docker` steps, from inside the container, against a local HTTP server this
// test starts: `network: false` (the default) reaches nothing (the same request succeeds with
// `network: true`, so the probe can fail), a domain list reaches a listed host through Lily's
// proxy and nothing directly, and an unlisted host is denied with LILY-E0824 as in the host
// sandbox.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { busyboxImage, containersNamed, dockerProject, imagesAvailable } from "../_images.ts";
import { killGroup, latestManifest, run, spawnGroup, until } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipDocker();

function skipDocker(): boolean {
  if (imagesAvailable() && Deno.uid() === 0) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn("SKIP: needs podman, a static busybox and root (fails under CI=true)");
  return true;
}

/** This machine's first non-loopback IPv4 address: what a container on a bridge can reach. */
function hostAddress(): string | undefined {
  return Deno.networkInterfaces().find((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    ?.address;
}

/** A shell function that sends GET `url` to `host port` with busybox nc, printing the reply. */
const GET =
  `get() { printf 'GET %s HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' "$3" | nc -w 5 "$1" "$2" 2>&1 || true; }`;

Deno.test({
  name:
    "docker: network none reaches nothing, network true reaches the server, a list only via the proxy",
  ignore,
  fn: async () => {
    const address = hostAddress();
    assert(address, "no non-loopback IPv4 address on this machine");
    const server = Deno.serve(
      { hostname: "0.0.0.0", port: 0, onListen: () => {} },
      () => new Response("pong-from-host\n"),
    );
    const port = server.addr.port;
    const image = await busyboxImage();
    const step = (id: string, network: string, script: string) =>
      `  - id: ${id}
    uses: shell
    adapter: docker
    resources: { network: ${network} }
    outputs:
      got: { type: str }
    with:
      image: ${image}
      run: |
        ${GET}
        got=$(${script} | tr -d '\\r' | grep -c pong-from-host || true)
        echo "got=$got" >> "$LILY_OUTPUT"
`;
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: net
steps:
${step("none", "false", `get ${address} ${port} /`)}${
        step("open", "true", `get ${address} ${port} /`)
      }${
        step(
          "listed",
          `["127.0.0.1:${port}"]`,
          // The proxy (HTTP_PROXY names it) at 127.0.0.1:3128 of the container's namespace.
          `test "$HTTP_PROXY" = http://127.0.0.1:3128 && get 127.0.0.1 3128 http://127.0.0.1:${port}/`,
        )
      }${step("direct", `["127.0.0.1:${port}"]`, `get ${address} ${port} /`)}`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const steps = latestManifest(dir).steps;
      assertEquals(steps.none.outputs.got.value, "0", "network none reached the server");
      assertEquals(steps.open.outputs.got.value, "1", "network true did not reach the server");
      assertEquals(steps.listed.outputs.got.value, "1", "the proxy did not admit a listed host");
      assertEquals(steps.direct.outputs.got.value, "0", "a list let a direct connection out");
      assertEquals(steps.listed.enforcement.network, `only 127.0.0.1:${port}`);
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: a host not on the step's list is denied with LILY-E0824",
  ignore,
  fn: async () => {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("pong\n"),
    );
    const port = server.addr.port;
    const image = await busyboxImage();
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: net
steps:
  - id: sneaky
    uses: shell
    adapter: docker
    resources: { network: ["example.org:443"] }
    with:
      image: ${image}
      run: |
        ${GET}
        get 127.0.0.1 3128 http://127.0.0.1:${port}/
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const step = latestManifest(dir).steps.sneaky;
      assertEquals(step.status, "failed");
      assertEquals(step.denied.code, "LILY-E0824");
      assertMatch(JSON.stringify(step.denied), new RegExp(`127\\.0\\.0\\.1:${port}`));
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Pids of the proxy forwarders (docker_forwarder.ts) in session `sid`. */
function forwardersIn(sid: number): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (!cmd.includes("docker_forwarder.ts")) continue;
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
      if (session === sid) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

Deno.test({
  name: "docker: a SIGKILLed Lily leaves no proxy forwarder behind (it exits at its stdin's end)",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const id = `held_${crypto.randomUUID().slice(0, 8)}`;
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: net
steps:
  - id: ${id}
    uses: shell
    adapter: docker
    resources: { network: ["127.0.0.1:9"] }
    with:
      image: ${image}
      run: |
        touch started.txt
        sleep 60
`,
    });
    const { child, pgid } = spawnGroup(dir);
    try {
      await until(() => exists(`${dir}/started.txt`), 60_000, "the container to start");
      const forwarders = forwardersIn(pgid);
      assertEquals(forwarders.length, 1, "one forwarder while the step runs");
      Deno.kill(child.pid, "SIGKILL"); // Lily alone: its children see only their pipes close.
      await child.output();
      await until(
        () => !exists(`/proc/${forwarders[0]}`),
        60_000,
        "the forwarder to exit after Lily was killed",
      );
    } finally {
      try {
        killGroup(pgid, "SIGKILL");
      } catch { /* the group is gone */ }
      for (const name of (await containersNamed("lily-")).filter((n) => n.endsWith(id))) {
        await new Deno.Command("podman", { args: ["rm", "-f", "-t", "0", name] }).output();
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
