/**
 * Compose and start-up benchmark, as whole processes, interleaved (the machine is noisy):
 * - `deno run` of an empty file (the floor),
 * - `lily --help` (target ≤ 2.5× the floor),
 * - `lily compose` of a generated 1000-step Petal (target ≤ 11× the floor),
 * - `lily explain` of the resulting lock.
 * Prints medians and median paired ratios, of wall time and of CPU time (user + system, from
 * `/usr/bin/time`: on a shared machine CPU time moves less than wall time).
 *
 * With `--against <other checkout>/mod.ts` (may be given several times), that checkout's
 * `compose` of the same file runs in every round too, and the ratio of this checkout to it is
 * printed (before/after figures). `--only-compose` leaves out the `--help` and `explain` cases
 * (more rounds in the same time when only compose is compared).
 *
 * Usage: deno run -A scripts/bench/compose_bench.ts [rounds=15] [--against PATH/mod.ts]…
 *   [--only-compose]
 * @module
 */
import { generatePetal } from "./compose_gen.ts";
import { median } from "./_stats.ts";

const againstAt = Deno.args.flatMap((a, i) => a === "--against" ? [i] : []);
const againsts = againstAt.map((i) => Deno.args[i + 1]);
const onlyCompose = Deno.args.includes("--only-compose");
const positional = Deno.args.filter((a, i) =>
  a !== "--only-compose" && !againstAt.some((at) => i === at || i === at + 1)
);
const rounds = Number(positional[0] ?? 15);
const dir = await Deno.makeTempDir({ prefix: "lily-bench-" });
const mod = new URL("../../mod.ts", import.meta.url).pathname;
await Deno.writeTextFile(`${dir}/empty.ts`, "");
await Deno.writeTextFile(`${dir}/big.petal`, generatePetal(1000, 20));
const env = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

const cases: Record<string, string[]> = {
  "deno run empty.ts": ["run", `${dir}/empty.ts`],
  ...(onlyCompose ? {} : { "lily --help": ["run", "-A", mod, "--help"] }),
  "lily compose 1000 steps": [
    "run",
    "-A",
    mod,
    "compose",
    `${dir}/big.petal`,
    "-o",
    `${dir}/big.lock.yaml`,
    "-q",
  ],
  ...Object.fromEntries(againsts.map((against, i) => [
    `base compose 1000 steps (${against})`,
    ["run", "-A", against, "compose", `${dir}/big.petal`, "-o", `${dir}/base${i}.lock.yaml`, "-q"],
  ])),
  ...(onlyCompose ? {} : {
    "lily explain 1000-step lock": [
      "run",
      "-A",
      mod,
      "explain",
      `${dir}/big.lock.yaml`,
      "--format",
      "json",
    ],
  }),
};

/** Wall and CPU milliseconds of one whole process. */
async function time(args: string[]): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "LILY_BENCH_CPU %U %S", Deno.execPath(), ...args],
    env,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wall = performance.now() - start;
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${args.join(" ")} failed:\n${stderr}`);
  const [, user, system] = /LILY_BENCH_CPU (\S+) (\S+)/.exec(stderr)!;
  return { wall, cpu: (Number(user) + Number(system)) * 1000 };
}

const samples: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
const loadavg = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const loadBefore = await loadavg();
for (const args of Object.values(cases)) await time(args); // warm the module cache
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(await time(args));
}
const floor = samples["deno run empty.ts"];
const ratio = (xs: number[], to: number[]) => median(xs.map((x, i) => x / to[i]));
console.log(`load average: ${loadBefore} before, ${await loadavg()} after`);
console.log(
  `${rounds} interleaved rounds, whole processes; ratio = median of per-round ratios to \`deno run empty.ts\``,
);
console.log("| case | wall | ratio | CPU | ratio |");
console.log("|---|---|---|---|---|");
for (const [name, xs] of Object.entries(samples)) {
  const wall = xs.map((x) => x.wall);
  const cpu = xs.map((x) => x.cpu);
  console.log(
    `| ${name} | ${median(wall).toFixed(1)} ms | ${
      ratio(wall, floor.map((f) => f.wall)).toFixed(2)
    }× | ${median(cpu).toFixed(0)} ms | ${ratio(cpu, floor.map((f) => f.cpu)).toFixed(2)}× |`,
  );
}
for (const against of againsts) {
  const now = samples["lily compose 1000 steps"];
  const base = samples[`base compose 1000 steps (${against})`];
  console.log(
    `compose 1000 steps, this checkout / ${against}: wall ${
      ratio(now.map((x) => x.wall), base.map((x) => x.wall)).toFixed(2)
    }×, CPU ${ratio(now.map((x) => x.cpu), base.map((x) => x.cpu)).toFixed(2)}×`,
  );
}
await Deno.remove(dir, { recursive: true });
