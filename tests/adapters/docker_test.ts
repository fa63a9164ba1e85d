// `adapter: docker` against real podman: every default of the spec verified from inside the
// container (capabilities, no-new-privileges, seccomp, read-only root, non-root user, only
// the roots visible, Lily's state hidden, memory limit), inputs and outputs as in shell
// steps, secrets masked, a timeout that leaves no container behind, a python step in an image
// with Python. Images are built offline (tests/_images.ts).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import {
  busyboxImage,
  containersNamed,
  dockerProject,
  imagesAvailable,
  pythonImage,
} from "../_images.ts";
import { killGroup, latestManifest, run, spawnGroup, until } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipDocker();

function skipDocker(): boolean {
  if (imagesAvailable()) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn("SKIP: needs podman and a static busybox (scripts/setup.sh) (fails under CI=true)");
  return true;
}

async function logOf(dir: string, step: string): Promise<string> {
  const m = latestManifest(dir);
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  let text = "";
  for (const log of m.steps[step]?.logs ?? []) {
    text += await Deno.readTextFile(`${dir}/.lily/runs/${runs[runs.length - 1]}/${log}`);
  }
  return text;
}

Deno.test({
  name: "docker: the spec's defaults hold inside the container",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const outside = await Deno.makeTempDir({ prefix: "lily-outside-" });
    await Deno.writeTextFile(`${outside}/marker`, "host file\n");
    const dir = await dockerProject({
      "data/in.txt": "three words here\n",
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: probe
    uses: shell
    adapter: docker
    resources: { memory: 64m }
    inputs:
      data: { path: data/in.txt, type: file }
    outputs:
      report: { type: str }
      uid: { type: int }
      words: { type: int }
    with:
      image: ${image}
      run: |
        status() { grep "^$1:" /proc/self/status | cut -f2; }
        r=""
        r="$r caps=$(grep '^CapEff:' /proc/self/status | cut -f2)"
        r="$r bnd=$(grep '^CapBnd:' /proc/self/status | cut -f2)"
        r="$r nnp=$(grep '^NoNewPrivs:' /proc/self/status | cut -f2)"
        r="$r seccomp=$(grep '^Seccomp:' /proc/self/status | cut -f2)"
        if touch /rootwrite 2>/dev/null; then r="$r root=writable"; else r="$r root=ro"; fi
        for p in /root /etc/shadow ${outside}/marker ${outside}; do
          if test -e "$p"; then r="$r visible:$p"; fi
        done
        if test -n "$(ls -A .lily)"; then r="$r lily=visible"; else r="$r lily=hidden"; fi
        r="$r mem=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"
        echo written > out.txt
        echo "report=$r" >> "$LILY_OUTPUT"
        echo "uid=$(id -u)" >> "$LILY_OUTPUT"
        echo "words=$(cat "$LILY_INPUT_DATA" | wc -w)" >> "$LILY_OUTPUT"
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout + (await logOf(dir, "probe")));
      const m = latestManifest(dir);
      const { report, uid, words } = m.steps.probe.outputs;
      const fields = String(report.value).trim().split(" ");
      assert(fields.includes("caps=0000000000000000"), report.value);
      assert(fields.includes("bnd=0000000000000000"), report.value);
      assert(fields.includes("nnp=1"), report.value);
      assert(fields.includes("seccomp=2"), report.value);
      assert(fields.includes("root=ro"), report.value);
      assert(fields.includes("lily=hidden"), report.value);
      assert(fields.includes(`mem=${64 * 1024 * 1024}`), report.value);
      assertEquals(fields.filter((f) => f.startsWith("visible:")), []);
      assert(uid.value !== 0, `uid ${uid.value}`);
      assertEquals(uid.value, Deno.statSync(dir).uid);
      assertEquals(words.value, 3);
      // The project (a write root) is writable, as the project's owner.
      assertEquals(await Deno.readTextFile(`${dir}/out.txt`), "written\n");
      assertEquals(Deno.statSync(`${dir}/out.txt`).uid, Deno.statSync(dir).uid);
      const enforcement = m.steps.probe.enforcement;
      assertMatch(enforcement.sandbox, /^container \(podman/);
      assertEquals(enforcement.network, "off");
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: a secret reaches the container's environment only, masked in the log",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
params:
  token: { type: secret, source: "env:DK_TEST_TOKEN" }
steps:
  - id: use
    uses: shell
    adapter: docker
    inputs:
      token: { from: params.token, type: secret }
    outputs:
      length: { type: int }
    with:
      image: ${image}
      run: |
        echo "token is $LILY_INPUT_TOKEN"
        echo "length=\${#LILY_INPUT_TOKEN}" >> "$LILY_OUTPUT"
`,
    });
    try {
      const secret = "s3cr3t-value-for-docker";
      const out = await lily(["run", "flow.lock.yaml"], {
        cwd: dir,
        env: { XDG_CACHE_HOME: `${dir}/.xdg`, DK_TEST_TOKEN: secret },
      });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(latestManifest(dir).steps.use.outputs.length.value, secret.length);
      const log = await logOf(dir, "use");
      assertMatch(log, /token is /);
      assert(!log.includes(secret), log);
      assert(!out.stdout.includes(secret) && !out.stderr.includes(secret));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: a timeout stops and removes the container (podman ps -a is clean)",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const id = `sleeper_${crypto.randomUUID().slice(0, 8)}`;
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: ${id}
    uses: shell
    adapter: docker
    timeout: 2s
    with:
      image: ${image}
      run: |
        echo started
        sleep 600
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const step = latestManifest(dir).steps[id];
      assertEquals(step.status, "failed");
      assertMatch(step.error, /timed out/);
      const all = await containersNamed("lily-");
      assertEquals(all.filter((n) => n.endsWith(id)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: a python step runs Lily's runner with the image's python3",
  ignore,
  fn: async () => {
    const image = await pythonImage();
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
params:
  n: { type: int, default: 6 }
steps:
  - id: calc
    uses: python
    adapter: docker
    inputs:
      n: { from: params.n, type: int }
    outputs:
      square: { type: int }
      where: { type: str }
    with:
      image: ${image}
      code: |
        import os, lily
        lily.output("square", lily.inputs["n"] ** 2)
        lily.output("where", "uid=%d" % os.getuid())
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout + (await logOf(dir, "calc")));
      const outputs = latestManifest(dir).steps.calc.outputs;
      assertEquals(outputs.square.value, 36);
      assertEquals(outputs.where.value, `uid=${Deno.statSync(dir).uid}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: a python step on an image without python3 fails with LILY-E0905 naming it",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: nopy
    uses: python
    adapter: docker
    with:
      image: ${image}
      code: print("never")
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const step = latestManifest(dir).steps.nopy;
      assertEquals(step.status, "failed");
      assertMatch(step.error, /LILY-E0905/);
      assertMatch(step.error, /has no `python3` on its PATH/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: an image that is not on this machine fails the step with LILY-E0904",
  ignore,
  fn: async () => {
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: gone
    uses: shell
    adapter: docker
    with:
      image: localhost/lily-test-never-built:1
      run: echo hi
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      assertMatch(latestManifest(dir).steps.gone.error, /not on this machine.*lily sync/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: no container engine fails the step with LILY-E0900, saying what was tried",
  ignore,
  fn: async () => {
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: a
    uses: shell
    adapter: docker
    with:
      image: localhost/anything:1
      run: echo hi
`,
    });
    try {
      const out = await lily(["run", "flow.lock.yaml"], {
        cwd: dir,
        env: { XDG_CACHE_HOME: `${dir}/.xdg`, LILY_CONTAINER_ENGINE: "no-such-engine" },
      });
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const error = latestManifest(dir).steps.a.error;
      assertMatch(error, /no container engine works.*no-such-engine: not installed/);
      assertMatch(error, /install podman/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker: Ctrl-C during a step removes its container",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const id = `held_${crypto.randomUUID().slice(0, 8)}`;
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: dk
steps:
  - id: ${id}
    uses: shell
    adapter: docker
    with:
      image: ${image}
      run: |
        echo started > started.txt
        sleep 600
`,
    });
    try {
      const { child, pgid } = spawnGroup(dir);
      // The container has started when its script wrote the file (an event, not a delay).
      await until(() => exists(`${dir}/started.txt`), 60_000, "the container to start");
      assertEquals((await containersNamed("lily-")).filter((n) => n.endsWith(id)).length, 1);
      killGroup(pgid, "SIGINT");
      const status = await child.output();
      assert(!status.success);
      assertEquals((await containersNamed("lily-")).filter((n) => n.endsWith(id)), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test({
  name: "docker: a tool of adapters/docker.yaml runs its argv in its image",
  ignore,
  fn: async () => {
    const image = await busyboxImage();
    const dir = await dockerProject({
      "adapters/docker.yaml": `tools:
  count:
    image: ${image}
    binary: wc
    args:
      input: { type: file, role: input, required: true }
    argv: [-w, "{input}"]
`,
      "data/in.txt": "one two three four\n",
      "flow.petal": `petal: "1"
name: dt
steps:
  - id: c
    uses: tool
    adapter: docker
    with: { tool: count, args: { input: data/in.txt } }
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertMatch(await logOf(dir, "c"), /^4 data\/in\.txt$/m);
      assertMatch(latestManifest(dir).steps.c.enforcement.sandbox, /^container/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
