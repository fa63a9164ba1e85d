/**
 * 20 `docker` steps against a shell loop of the same 20 `podman run` commands, cold (no cache),
 * one at a time (`-j 1`, as the loop), interleaved rounds, medians of paired ratios. The loop
 * runs exactly the command line the adapter builds (src/steps/docker_argv.ts: the same
 * defaults, mounts and image digest), so the ratio is Lily's cost around a container (start,
 * lock, engine, records, the engine detection), not a difference of flags. Target ≤ 1.2×.
 *
 * Usage: deno run -A scripts/bench/docker_bench.ts [rounds=5] [steps=20]
 * Needs podman and a static busybox (scripts/setup.sh); run as root (the project is owned by
 * the test user `lilytest`, as in the tests).
 * @module
 */
import { dockerRunArgs } from "../../src/steps/docker_argv.ts";
import { findEngine, imageDigest } from "../../src/steps/docker_engine.ts";
import { busyboxImage, dockerProject } from "../../tests/_images.ts";
import { median } from "./_stats.ts";

const numbers = Deno.args.filter((a) => /^\d+$/.test(a)).map(Number);
const rounds = numbers[0] ?? 5;
const steps = numbers[1] ?? 20;
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
};
const LILY = [Deno.execPath(), "run", "-A", "--v8-flags=--max-semi-space-size=1", mod];

async function timed(cmd: string[], cwd: string, extra: Record<string, string> = {}) {
  const start = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: { ...env, ...extra },
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

const engine = await findEngine();
if (!("program" in engine)) throw engine;
const image = await busyboxImage();
const digest = await imageDigest(engine, image);
let petal = 'petal: "1"\nname: dockerbench\nsteps:\n';
for (let i = 0; i < steps; i++) {
  petal +=
    `  - id: s${i}\n    uses: shell\n    adapter: docker\n    with: { image: "${image}", run: "echo ${i}" }\n`;
}
const dir = await dockerProject({ "flow.petal": petal });
await timed([...LILY, "sync", "flow.lock.yaml"], dir);

// The loop: the adapter's own command line per step (a fresh name each round).
const user = `${Deno.statSync(dir).uid}:${Deno.statSync(dir).gid}`;
const loop = (round: number) => {
  let script = "set -e\n";
  for (let i = 0; i < steps; i++) {
    const { args } = dockerRunArgs({
      engine,
      step: { id: `s${i}`, resources: { network: false, binaries: [], env: [] } },
      image: digest!,
      command: ["/bin/sh", "-e", "-c", `echo ${i}`],
      name: `lily-bench-${round}-${i}`,
      cwd: dir,
      env: {},
      readRoots: [dir],
      writeRoots: [dir],
      denyRoots: [`${dir}/.lily`],
      user,
      network: "none",
    });
    script += [engine.program, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ") +
      "\n";
  }
  return ["bash", "-c", script];
};

const run = [...LILY, "run", "flow.lock.yaml", "-j", "1", "-q"];
const clean = () => Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
const samples: Record<string, number[]> = { lily: [], loop: [] };
await timed(run, dir); // warm caches (Deno modules, the engine's storage)
for (let r = 0; r < rounds; r++) {
  await clean();
  samples.lily.push(await timed(run, dir));
  samples.loop.push(await timed(loop(r), dir));
}
const ratio = median(samples.lily.map((ms, i) => ms / samples.loop[i]));
console.log(`${steps} docker steps (${engine.kind}), -j 1, ${rounds} interleaved rounds`);
console.log(`  shell loop of podman run  ${median(samples.loop).toFixed(0)} ms`);
console.log(
  `  lily run                  ${median(samples.lily).toFixed(0)} ms  (${
    ratio.toFixed(2)
  }× the loop; target ≤ 1.2×)`,
);
await Deno.remove(dir, { recursive: true });
