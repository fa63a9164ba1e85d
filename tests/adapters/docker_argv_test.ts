// The engine command line of a docker step (src/steps/docker_argv.ts), for what cannot be
// observed from inside a container on this machine: GPU opt-in (no GPU here), the CPU flag,
// memory sizes, values never in the arguments (secrets do not show in `ps`), the scratch
// directory never mounted, `.lily/` covered, docker's and podman's differences.
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { dockerRunArgs, memoryBytes } from "../../src/steps/docker_argv.ts";

const podman = {
  kind: "podman" as const,
  runArgs: ["--runtime", "/usr/sbin/runc"],
  rootless: false,
};

async function withProject(fn: (root: string) => void | Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "lily-argv-" });
  await Deno.mkdir(`${root}/.lily/scratch/io`, { recursive: true });
  await Deno.writeTextFile(`${root}/.lily/scratch/io/s.1.out`, "");
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function input(root: string, resources: Record<string, unknown> = {}) {
  return {
    engine: podman,
    step: {
      id: "s",
      resources: { network: false, binaries: [], env: [], ...resources },
    },
    image: "sha256:" + "a".repeat(64),
    command: ["/bin/sh", "-e", "-c", "echo hi"],
    name: "lily-1-1-s",
    cwd: root,
    env: {
      PATH: "/usr/bin",
      HOME: "/root",
      LILY_OUTPUT: `${root}/.lily/scratch/io/s.1.out`,
      LILY_INPUT_TOKEN: "s3cr3t",
    },
    readRoots: [root, `${root}/.lily/scratch`],
    writeRoots: [root, `${root}/.lily/scratch`],
    denyRoots: [`${root}/.lily`],
    scratch: `${root}/.lily/scratch`,
    outputFile: `${root}/.lily/scratch/io/s.1.out`,
    user: "1001:1001",
    network: "none",
  };
}

Deno.test("docker argv: the defaults, no values in the arguments, scratch not mounted", async () => {
  await withProject((root) => {
    const { args, env } = dockerRunArgs(input(root));
    const text = args.join(" ");
    for (
      const flag of [
        "--rm",
        "--pull=never",
        "--cap-drop=all",
        "--security-opt no-new-privileges",
        "--read-only",
        "--network none",
        "--user 1001:1001",
        "--http-proxy=false",
        `--workdir ${root}`,
        `--volume ${root}:${root}:rw`,
        `--volume ${root}/.lily/scratch/io/s.1.out:${root}/.lily/scratch/io/s.1.out:rw`,
        `--mount type=tmpfs,destination=${root}/.lily,tmpfs-mode=0500,notmpcopyup`,
      ]
    ) assert(text.includes(flag), `${flag} not in ${text}`);
    assert(!text.includes("seccomp"), "seccomp must stay the engine's default");
    assert(!text.includes("s3cr3t"), "a value in the arguments");
    assert(!text.includes(`${root}/.lily/scratch:`), "the scratch directory is mounted");
    assert(!args.includes("--gpus") && !text.includes("nvidia"), "GPU without opt-in");
    assert(!text.includes("-e PATH") && !text.includes("-e HOME "), "host PATH/HOME passed");
    assertEquals(env.LILY_INPUT_TOKEN, "s3cr3t");
    assert(args.includes("LILY_INPUT_TOKEN"));
    assertEquals(args.slice(-5), ["sha256:" + "a".repeat(64), "/bin/sh", "-e", "-c", "echo hi"]);
  });
});

Deno.test("docker argv: CPU, memory and GPU from resources", async () => {
  await withProject((root) => {
    const { args } = dockerRunArgs(input(root, { cpu: 1.5, memory: "512m", gpu: true }));
    const text = args.join(" ");
    assert(text.includes("--cpus 1.5"), text);
    assert(text.includes(`--memory ${512 * 1024 * 1024}`), text);
    assert(text.includes("--device nvidia.com/gpu=all"), text);
    const docker = dockerRunArgs({
      ...input(root, { gpu: true }),
      engine: { kind: "docker", runArgs: [], rootless: false },
    }).args.join(" ");
    assert(docker.includes("--gpus all") && !docker.includes("notmpcopyup"), docker);
    const rootless = dockerRunArgs({ ...input(root), engine: { ...podman, rootless: true } })
      .args.join(" ");
    assert(rootless.includes("--userns=keep-id") && !rootless.includes("--user "), rootless);
    const open = dockerRunArgs({ ...input(root, { network: true }), network: "default" })
      .args.join(" ");
    assert(!open.includes("--network"), open);
  });
});

Deno.test("docker argv: memory sizes", () => {
  assertEquals(memoryBytes("512m", "s"), 512 * 1024 * 1024);
  assertEquals(memoryBytes("1GiB", "s"), 1024 ** 3);
  assertEquals(memoryBytes("2g", "s"), 2 * 1024 ** 3);
  assertEquals(memoryBytes("1000000", "s"), 1000000);
  assertEquals(memoryBytes("1.5GB", "s"), 1.5e9);
  for (const bad of ["lots", "0", "-1m", "5 parsecs", ""]) {
    assertThrows(() => memoryBytes(bad, "s"));
  }
});
