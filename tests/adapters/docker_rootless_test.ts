// `adapter: docker` with Lily run by an unprivileged user (`lilytest`): rootless podman, the
// image in that user's own store. The container runs as the user (`--userns=keep-id`, not
// root), with no capabilities and a read-only root, and writes the project as the user.
import { assert, assertEquals } from "../_assert.ts";
import { busyboxImage, imagesAvailable, TEST_USER } from "../_images.ts";
import { type Config, projectIn, runIn, skipConfig } from "../attacks/_configs.ts";
import { latestManifest } from "../run/_run.ts";

const config: Config = { name: "user+docker", unprivileged: true, sandbox: "bwrap" };
const ignore = Deno.build.os !== "linux" || skipRootless();

function skipRootless(): boolean {
  if (!imagesAvailable() && Deno.env.get("CI") !== "true") {
    console.warn("SKIP: needs podman and a static busybox (fails under CI=true)");
    return true;
  }
  return skipConfig(config);
}

Deno.test({
  name: "docker rootless: the defaults hold when Lily runs as an unprivileged user",
  ignore,
  fn: async () => {
    const image = await busyboxImage(TEST_USER);
    const dir = await projectIn(config, {
      "flow.petal": `petal: "1"
name: rootless
steps:
  - id: probe
    uses: shell
    adapter: docker
    outputs:
      report: { type: str }
    with:
      image: ${image}
      run: |
        r="uid=$(id -u) caps=$(grep '^CapEff:' /proc/self/status | cut -f2)"
        if touch /x 2>/dev/null; then r="$r root=writable"; else r="$r root=ro"; fi
        echo made > out.txt
        echo "report=$r" >> "$LILY_OUTPUT"
`,
    });
    try {
      const out = await runIn(config, dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const m = latestManifest(dir);
      const uid = Deno.statSync(dir).uid!;
      assert(uid !== 0);
      assertEquals(m.steps.probe.outputs.report.value, `uid=${uid} caps=0000000000000000 root=ro`);
      assertEquals(Deno.statSync(`${dir}/out.txt`).uid, uid);
      assertEquals(m.steps.probe.enforcement.sandbox, "container (podman, rootless)");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "docker rootless: a domain list is refused (LILY-E0906), never run unenforced",
  ignore,
  fn: async () => {
    const image = await busyboxImage(TEST_USER);
    const dir = await projectIn(config, {
      "flow.petal": `petal: "1"
name: rootless
steps:
  - id: listed
    uses: shell
    adapter: docker
    resources: { network: ["example.org:443"] }
    with:
      image: ${image}
      run: echo ran > ran.txt
`,
    });
    try {
      const out = await runIn(config, dir);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      const step = latestManifest(dir).steps.listed;
      assertEquals(step.status, "failed");
      assert(/domain list .* cannot be enforced here/.test(step.error), step.error);
      assert(!(await Deno.stat(`${dir}/ran.txt`).then(() => true, () => false)), "it ran");
      // Nothing of the attempted proxy is left (its socket directory belongs to the user).
      const left = [...Deno.readDirSync(Deno.env.get("TMPDIR") ?? "/tmp")].filter((e) =>
        e.name.startsWith("lily-dproxy-") &&
        Deno.statSync(`${Deno.env.get("TMPDIR") ?? "/tmp"}/${e.name}`).uid ===
          Deno.statSync(dir).uid
      );
      assertEquals(left.map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
