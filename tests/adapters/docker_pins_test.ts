// Images pinned by digest, against real podman: compose records the reference, `lily sync`
// pins the digest podman reports, `run --locked` refuses an unpinned image and an image
// replaced under its tag (LILY-E0903), `lily lock refresh` pins the new digest (tag → digest)
// and the step runs again (the digest is in its cache key) in the new image. A missing image
// is LILY-E0904 at sync.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";
import { busyboxImage, dockerProject, imagesAvailable, PODMAN, pythonImage } from "../_images.ts";
import { latestManifest } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipDocker();

function skipDocker(): boolean {
  if (imagesAvailable()) return false;
  if (Deno.env.get("CI") === "true") return false;
  console.warn("SKIP: needs podman and a static busybox (scripts/setup.sh) (fails under CI=true)");
  return true;
}

async function podman(...args: string[]): Promise<string> {
  const out = await new Deno.Command(PODMAN, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`podman ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text.trim();
}

async function digestOf(ref: string): Promise<string> {
  return `sha256:${
    (await podman("image", "inspect", "--format", "{{.Id}}", ref)).replace(/^sha256:/, "")
  }`;
}

function pinIn(lockText: string, ref: string): string | undefined {
  const m = new RegExp(`"?${ref.replace(/[/.:]/g, "\\$&")}"?: "?([^"\\n]*)"?`).exec(lockText);
  return m?.[1];
}

Deno.test({
  name:
    "docker pins: sync pins the digest, --locked refuses drift, lock refresh re-pins and re-runs",
  ignore,
  fn: async () => {
    const tag = `localhost/lily-test-pin-${crypto.randomUUID().slice(0, 8)}:1`;
    await podman("tag", await busyboxImage(), tag);
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: pin
steps:
  - id: which
    uses: shell
    adapter: docker
    outputs:
      python: { type: str }
    with:
      image: ${tag}
      run: |
        if test -e /usr/bin/python3; then p=yes; else p=no; fi
        echo "python=$p" >> "$LILY_OUTPUT"
`,
    });
    const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
    try {
      const lockPath = `${dir}/flow.lock.yaml`;
      assertEquals(pinIn(await Deno.readTextFile(lockPath), tag), "");
      // Unpinned: --locked refuses.
      let out = await lily(["run", "flow.lock.yaml", "--locked"], { cwd: dir, env });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /LILY-E0903.*not pinned/);
      // sync pins what podman has.
      out = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const first = await digestOf(tag);
      assertEquals(pinIn(await Deno.readTextFile(lockPath), tag), first);
      out = await lily(["run", "flow.lock.yaml", "--locked"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(latestManifest(dir).steps.which.outputs.python.value, "no");
      // The image is replaced under the same tag: --locked refuses, sync reports, never rewrites.
      await podman("tag", await pythonImage(), tag);
      const second = await digestOf(tag);
      assert(second !== first);
      out = await lily(["run", "flow.lock.yaml", "--locked"], { cwd: dir, env });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /LILY-E0903.*the lock pins/);
      out = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 1, out.stderr + out.stdout);
      assertMatch(out.stdout, /✗ image .*the lock pins/);
      assertEquals(pinIn(await Deno.readTextFile(lockPath), tag), first);
      // Without --locked the pinned digest still runs (not the tag's new image).
      out = await lily(["run", "flow.lock.yaml", "--from", "which"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(latestManifest(dir).steps.which.attempts, 1);
      assertEquals(latestManifest(dir).steps.which.outputs.python.value, "no");
      // lock refresh: tag → the new digest; the step runs again, in the new image.
      out = await lily(["lock", "refresh", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertMatch(out.stdout, /~ image/);
      assertEquals(pinIn(await Deno.readTextFile(lockPath), tag), second);
      out = await lily(["run", "flow.lock.yaml", "--locked"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const step = latestManifest(dir).steps.which;
      assertEquals(step.cache.decision, "miss");
      assertEquals(step.outputs.python.value, "yes");
    } finally {
      await podman("untag", tag).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker pins: sync of an image that is nowhere fails with LILY-E0904",
  ignore,
  fn: async () => {
    const dir = await dockerProject({
      "flow.petal": `petal: "1"
name: pin
steps:
  - id: a
    uses: shell
    adapter: docker
    with:
      image: localhost/lily-test-never-built:1
      run: echo hi
`,
    });
    try {
      const out = await lily(["sync", "flow.lock.yaml"], {
        cwd: dir,
        env: { XDG_CACHE_HOME: `${dir}/.xdg` },
      });
      assert(out.code !== 0, out.stdout);
      assertMatch(out.stderr, /LILY-E0904.*lily-test-never-built/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
