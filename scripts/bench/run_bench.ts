/**
 * `lily run` against ninja and make on the same DAGs, interleaved rounds, medians and paired
 * ratios (this machine is noisy). Also: a fully cached re-run against a bare `deno run`, and
 * peak memory (`/usr/bin/time`) on the layered DAG and a 10,000-step DAG.
 *
 * Usage: deno run -A scripts/bench/run_bench.ts [rounds=5] [--quick]
 * Needs ninja, make and /usr/bin/time (scripts/setup.sh installs them).
 * @module
 */
import { type Shape, writeDag } from "./run_gen.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 5);
const quick = Deno.args.includes("--quick");
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const deno = Deno.execPath();
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
};

async function timed(cmd: string[], cwd: string): Promise<{ ms: number; rssKb?: number }> {
  const useTime = cmd[0] === "@time";
  const argv = useTime ? ["/usr/bin/time", "-f", "maxrss=%M", ...cmd.slice(1)] : cmd;
  const start = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${argv.join(" ")} failed:\n${err.slice(-2000)}`);
  const rss = /maxrss=(\d+)/.exec(err)?.[1];
  return { ms, rssKb: rss ? Number(rss) : undefined };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function project(shape: Shape, n: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `lily-bench-${shape}-` });
  writeDag(dir, shape, n);
  await timed([deno, "run", "-A", mod, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir);
  await Deno.writeTextFile(`${dir}/empty.ts`, "");
  return dir;
}

// The engine's own cost: OS isolation off (the default policy's per-step `unshare -rn` is
// measured separately below).
const lilyRun = (
  _dir: string,
) => [deno, "run", "-A", mod, "run", "flow.lock.yaml", "-j", "2", "-q", "--isolation", "none"];
const lilyDefault = [deno, "run", "-A", mod, "run", "flow.lock.yaml", "-j", "2", "-q"];

async function cold(shape: Shape, n: number, r: number) {
  const dir = await project(shape, n);
  const samples: Record<string, number[]> = { lily: [], ninja: [], make: [] };
  for (let i = 0; i < r; i++) {
    await Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
    samples.lily.push((await timed(lilyRun(dir), dir)).ms);
    await Deno.remove(`${dir}/.ninja_log`).catch(() => {});
    samples.ninja.push((await timed(["ninja", "-j2"], dir)).ms);
    samples.make.push((await timed(["make", "-j2", "-s"], dir)).ms);
  }
  const ratio = (a: string, b: string) => median(samples[a].map((x, i) => x / samples[b][i]));
  console.log(
    `| ${shape} ${n}, cold, -j2 | ${median(samples.lily).toFixed(0)} ms | ${
      median(samples.ninja).toFixed(0)
    } ms | ${median(samples.make).toFixed(0)} ms | ${ratio("lily", "ninja").toFixed(2)}× ninja, ${
      ratio("lily", "make").toFixed(2)
    }× make |`,
  );
  return dir;
}

console.log(
  `## lily run vs ninja and make (${rounds} interleaved rounds, medians, paired ratios)\n`,
);
console.log("| case | lily | ninja | make | ratio |");
console.log("|---|---|---|---|---|");
const layered = await cold("layered", 1000, rounds);
if (!quick) {
  await Deno.remove(await cold("wide", 1000, Math.max(1, Math.ceil(rounds / 2))), {
    recursive: true,
  });
  await Deno.remove(await cold("chain", 200, Math.max(1, Math.ceil(rounds / 2))), {
    recursive: true,
  });
}

// Snakemake, when installed (apt: snakemake): one round, it is slow.
{
  const which = await new Deno.Command("sh", {
    args: ["-c", "command -v snakemake"],
    stdout: "null",
  }).output();
  if (which.success) {
    await Deno.remove(`${layered}/done`, { recursive: true }).catch(() => {});
    await Deno.remove(`${layered}/.snakemake`, { recursive: true }).catch(() => {});
    const snake = await timed(["snakemake", "--cores", "2", "--quiet", "all"], layered);
    await Deno.remove(`${layered}/.lily`, { recursive: true }).catch(() => {});
    const lily = await timed(lilyRun(layered), layered);
    console.log(
      `\n| layered 1000, cold, 2 cores | lily ${lily.ms.toFixed(0)} ms | snakemake ${
        snake.ms.toFixed(0)
      } ms | lily is ${(snake.ms / lily.ms).toFixed(1)}× faster |`,
    );
  } else {
    console.log("\n(snakemake not installed: skipped)");
  }
}

// The default policy: network off, enforced with a network namespace per step (Linux).
{
  const iso: number[] = [], none: number[] = [], nin: number[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil(rounds / 2)); i++) {
    await Deno.remove(`${layered}/.lily`, { recursive: true }).catch(() => {});
    iso.push((await timed(lilyDefault, layered)).ms);
    await Deno.remove(`${layered}/.lily`, { recursive: true }).catch(() => {});
    none.push((await timed(lilyRun(layered), layered)).ms);
    await Deno.remove(`${layered}/.ninja_log`).catch(() => {});
    nin.push((await timed(["ninja", "-j2"], layered)).ms);
  }
  console.log(
    `\n| layered 1000, default policy (network off via unshare -rn) | ${
      median(iso).toFixed(0)
    } ms | ninja ${median(nin).toFixed(0)} ms | ${
      median(iso.map((x, i) => x / nin[i])).toFixed(2)
    }× ninja | isolation adds ${
      ((median(iso) - median(none)) * 2 / 1000).toFixed(1)
    } ms a step (2 at once) |`,
  );
}

// Fully cached re-run vs a bare deno run of an empty file.
await timed(lilyRun(layered), layered);
const warm: number[] = [], bare: number[] = [];
for (let i = 0; i < rounds * 2; i++) {
  warm.push((await timed(lilyRun(layered), layered)).ms);
  bare.push((await timed([deno, "run", "empty.ts"], layered)).ms);
}
console.log(
  `\n| all 1000 steps cached | ${median(warm).toFixed(0)} ms | bare \`deno run\` ${
    median(bare).toFixed(0)
  } ms | ${median(warm.map((x, i) => x / bare[i])).toFixed(2)}× |`,
);

// Peak memory.
await Deno.remove(`${layered}/.lily`, { recursive: true }).catch(() => {});
const mem1000 = await timed(["@time", ...lilyRun(layered)], layered);
console.log(`\npeak RSS, layered 1000 steps cold: ${Math.round((mem1000.rssKb ?? 0) / 1024)} MB`);
await Deno.remove(layered, { recursive: true });
if (!quick) {
  const big = await project("layered", 10_000);
  const mem10k = await timed(["@time", ...lilyRun(big)], big);
  console.log(
    `peak RSS, layered 10,000 steps cold: ${Math.round((mem10k.rssKb ?? 0) / 1024)} MB (${
      (mem10k.ms / 1000).toFixed(1)
    } s)`,
  );
  await Deno.remove(big, { recursive: true });
}
