/**
 * `lily run` against ninja and make on the same DAGs: interleaved rounds, medians of paired
 * ratios (this machine is noisy). Lily runs as installed (`--v8-flags=--max-semi-space-size=1`,
 * see the README), in both isolation modes: `none` (the engine alone, steps in its process) and
 * the default sandbox (hosts with Deno permissions and OS isolation). Also: a fully cached
 * re-run against a bare `deno run`, peak memory (`/usr/bin/time`) on 1,000 and 10,000 steps.
 *
 * Usage: deno run -A scripts/bench/run_bench.ts [rounds=5] [--quick]
 *        deno run -A scripts/bench/run_bench.ts [rounds] --engine-ab=<other checkout>
 * Needs ninja, make and /usr/bin/time (scripts/setup.sh installs them).
 *
 * `--engine-ab` compares two engines (this checkout and another, e.g. `git worktree add` of
 * the commit before a change) on the issue's case only: 1000 layered steps that each start a
 * program, -j2, both isolation modes, against make, all in interleaved rounds; then peak RSS.
 * Each engine runs the lock its own version composed, in a directory of its own. Also, for both
 * engines: start-up and end alone (the same lock with `--only s0`) and the
 * builtin shape in `none` (where the peak RSS target is set). Each engine gets a user cache of
 * its own (compiled locks differ between versions), and each round also times the floor: a bare Deno script starting the same 1000 programs two at a time
 * (`Deno.Command`, output piped and drained as the engine does), with no engine at all.
 * @module
 */
import { type Command, type Shape, writeDag } from "./run_gen.ts";
import { median } from "./_stats.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 5);
const quick = Deno.args.includes("--quick");
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const deno = Deno.execPath();
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
};
const LILY = [deno, "run", "-A", "--v8-flags=--max-semi-space-size=1", mod];

async function timed(
  cmd: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<{ ms: number; rssKb?: number; cpuMs?: number }> {
  const useTime = cmd[0] === "@time";
  const argv = useTime ? ["/usr/bin/time", "-f", "maxrss=%M cpu=%U+%S", ...cmd.slice(1)] : cmd;
  const start = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: { ...env, ...extraEnv },
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${argv.join(" ")} failed:\n${err.slice(-2000)}`);
  const rss = /maxrss=(\d+)/.exec(err)?.[1];
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(err);
  return {
    ms,
    rssKb: rss ? Number(rss) : undefined,
    cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined,
  };
}

async function project(
  shape: Shape,
  n: number,
  command: Command = "builtin",
  lilyArgv = LILY,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `lily-bench-${shape}-` });
  writeDag(dir, shape, n, command);
  await timed([...lilyArgv, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir);
  await Deno.writeTextFile(`${dir}/empty.ts`, "");
  return dir;
}

const lily = (isolation: "none" | "auto") => [
  ...LILY,
  "run",
  "flow.lock.yaml",
  "-j",
  "2",
  "-q",
  "--isolation",
  isolation,
];
const clean = (dir: string) => Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});

/** Cold runs, interleaved: lily (none), lily (sandbox), ninja, make. */
async function cold(shape: Shape, n: number, r: number, command: Command = "builtin") {
  const dir = await project(shape, n, command);
  const samples: Record<string, number[]> = { none: [], auto: [], ninja: [], make: [] };
  for (let i = 0; i < r; i++) {
    await clean(dir);
    samples.none.push((await timed(lily("none"), dir)).ms);
    await clean(dir);
    samples.auto.push((await timed(lily("auto"), dir)).ms);
    await Deno.remove(`${dir}/.ninja_log`).catch(() => {});
    samples.ninja.push((await timed(["ninja", "-j2"], dir)).ms);
    samples.make.push((await timed(["make", "-j2", "-s"], dir)).ms);
  }
  const ratio = (a: string, b: string) => median(samples[a].map((x, i) => x / samples[b][i]));
  const ms = (k: string) => `${median(samples[k]).toFixed(0)} ms`;
  console.log(
    `| ${shape} ${n}, ${command}, cold | ${ms("none")} (${ratio("none", "ninja").toFixed(2)}×) | ${
      ms("auto")
    } (${ratio("auto", "ninja").toFixed(2)}×) | ${ms("ninja")} | ${ms("make")} (${
      ratio("make", "ninja").toFixed(2)
    }×) |`,
  );
  return { dir, samples };
}

/**
 * The floor for the engine in `--isolation none`: Deno itself starting the 1000 programs of
 * the DAG (in file order, which respects its layers), two at a time, output piped and read.
 */
const FLOOR = `const make = Deno.readTextFileSync("Makefile");
const program = /\\t@(\\S+)/.exec(make)[1];
const steps = [...make.matchAll(/^(s\\d+):/gm)].map((m) => m[1]);
let next = 0;
const drain = (s) => s.pipeTo(new WritableStream());
async function slot() {
  while (next < steps.length) {
    const child = new Deno.Command(program, {
      args: [steps[next++]], clearEnv: true, env: { PATH: "/usr/bin:/bin" },
      stdin: "null", stdout: "piped", stderr: "piped",
    }).spawn();
    const [status] = await Promise.all([child.status, drain(child.stdout), drain(child.stderr)]);
    if (!status.success) throw new Error(program + " failed");
  }
}
await Promise.all([slot(), slot()]);
if (next !== 1000) throw new Error("expected 1000 programs, started " + next);
`;

if (Deno.args.some((a) => a.startsWith("--engine-ab="))) {
  await engineAb(Deno.args.find((a) => a.startsWith("--engine-ab="))!.slice(12));
  Deno.exit(0);
}

/** This engine (`new`) against another checkout's (`old`), and both against make. */
async function engineAb(other: string) {
  const oldLily = [...LILY.slice(0, -1), `${other.replace(/\/$/, "")}/mod.ts`];
  const run = (base: string[], isolation: string) => [
    ...base,
    "run",
    "flow.lock.yaml",
    "-j",
    "2",
    "-q",
    "--isolation",
    isolation,
  ];
  const dir = await project("layered", 1000, "program");
  // Each engine its own user cache: a compiled lock one version wrote is a miss for the other.
  const caches = { old: await Deno.makeTempDir(), new: await Deno.makeTempDir() };
  const floor = `${dir}/floor.ts`;
  await Deno.writeTextFile(floor, FLOOR);
  // The ≤ 80 MB peak RSS target is set on the builtin shape (no program per step).
  const builtin = await project("layered", 1000, "builtin");
  // Each engine runs the lock its own version composed (an older engine may not read a newer
  // lock): the same DAG, in directories of its own.
  const oldDirs = {
    program: await project("layered", 1000, "program", oldLily),
    builtin: await project("layered", 1000, "builtin", oldLily),
  };
  const cases: Record<string, string[]> = {
    "old none": run(oldLily, "none"),
    "new none": run(LILY, "none"),
    "old sandbox": run(oldLily, "auto"),
    "new sandbox": run(LILY, "auto"),
    // Start-up and end: the same lock, one step run (the 999 others are not selected).
    "old start": [...run(oldLily, "none"), "--only", "s0"],
    "new start": [...run(LILY, "none"), "--only", "s0"],
    "old builtin": run(oldLily, "none"),
    "new builtin": run(LILY, "none"),
  };
  const dirOf = (name: string) =>
    name.startsWith("old")
      ? (name.endsWith("builtin") ? oldDirs.builtin : oldDirs.program)
      : (name.endsWith("builtin") ? builtin : dir);
  const samples: Record<string, number[]> = { make: [], floor: [] };
  const cpu: Record<string, number[]> = {};
  const rss: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) [samples[name], cpu[name], rss[name]] = [[], [], []];
  for (let i = 0; i < rounds; i++) {
    // Alternate which engine goes first, so neither always runs on a warmer machine.
    const names = Object.keys(cases);
    if (i % 2) names.reverse();
    for (const name of names) {
      await clean(dirOf(name));
      const m = await timed(["@time", ...cases[name]], dirOf(name), {
        XDG_CACHE_HOME: name.startsWith("old") ? caches.old : caches.new,
      });
      samples[name].push(m.ms);
      cpu[name].push(m.cpuMs ?? 0);
      rss[name].push(Math.round((m.rssKb ?? 0) / 1024));
    }
    samples.make.push((await timed(["make", "-j2", "-s"], dir)).ms);
    samples.floor.push((await timed([deno, "run", "-A", floor], dir)).ms);
  }
  const ratio = (a: string, b: string, of = samples) => median(of[a].map((x, i) => x / of[b][i]));
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.log(`## engine A/B: layered 1000, program steps, -j2 (${rounds} interleaved rounds)\n`);
  console.log(
    "Wall: median; ratios are medians of per-round ratios. CPU: the engine process's user + system time (its children's too). RSS: the engine's peak.\n",
  );
  console.log("| case | wall | vs make | wall new/old | CPU | CPU new/old | peak RSS |");
  console.log("|---|---|---|---|---|---|---|");
  console.log(`| make | ${median(samples.make).toFixed(0)} ms | 1.00× | | | | |`);
  console.log(
    `| floor: Deno spawns the 1000 programs | ${median(samples.floor).toFixed(0)} ms | ${
      ratio("floor", "make").toFixed(2)
    }× | | | | |`,
  );
  for (const mode of ["none", "sandbox", "start", "builtin"]) {
    if (mode === "start") {
      console.log("| start-up and end only (`--only s0`, `none`) | | | | | | |");
    }
    if (mode === "builtin") console.log("| 1000 builtin steps (`true <id>`), `none` | | | | | | |");
    for (const who of ["old", "new"]) {
      const name = `${who} ${mode}`;
      const vsOld = (of: Record<string, number[]>) =>
        who === "new" ? `${ratio(name, `old ${mode}`, of).toFixed(2)}×` : "";
      console.log(
        `| lily ${name} | ${median(samples[name]).toFixed(0)} ms | ${
          ratio(name, "make").toFixed(2)
        }× | ${vsOld(samples)} | ${median(cpu[name]).toFixed(0)} ms | ${vsOld(cpu)} | ${
          median(rss[name])
        } MB |`,
      );
    }
  }
  console.log(`\nLoad average at the end: ${load}`);
  await Deno.remove(dir, { recursive: true });
  await Deno.remove(builtin, { recursive: true });
  for (const old of Object.values(oldDirs)) await Deno.remove(old, { recursive: true });
  for (const cache of Object.values(caches)) await Deno.remove(cache, { recursive: true });
}

console.log(`## lily run vs ninja and make (${rounds} interleaved rounds, -j2, medians)\n`);
console.log(
  "Ratios are medians of per-round ratios to ninja. `none`: steps in Lily's process; sandbox: the default (Deno hosts + OS isolation).\n",
);
console.log("| case | lily --isolation none | lily (default sandbox) | ninja | make |");
console.log("|---|---|---|---|---|");
const layered = await cold("layered", 1000, rounds);
const programs = await cold("layered", 1000, rounds, "program");
if (!quick) {
  for (const [shape, n] of [["wide", 1000], ["chain", 200]] as const) {
    const { dir } = await cold(shape, n, Math.max(1, Math.ceil(rounds / 2)));
    await Deno.remove(dir, { recursive: true });
  }
}
{
  const { samples } = layered;
  const perStep = (k: string) => (median(samples[k]) * 2 / 1000).toFixed(2);
  console.log(
    `\nPer step of wall time at -j2 (builtin steps): none ${perStep("none")} ms, sandbox ${
      perStep("auto")
    } ms, ninja ${
      perStep("ninja")
    } ms. Starting a program (\`/usr/bin/true\`) adds, per step: none ${
      ((median(programs.samples.none) - median(samples.none)) * 2 / 1000).toFixed(2)
    } ms, sandbox ${
      ((median(programs.samples.auto) - median(samples.auto)) * 2 / 1000).toFixed(2)
    } ms.`,
  );
}
await Deno.remove(programs.dir, { recursive: true });

// Snakemake, when installed (apt: snakemake): one round, it is slow.
{
  const which = await new Deno.Command("sh", {
    args: ["-c", "command -v snakemake"],
    stdout: "null",
  }).output();
  if (which.success) {
    await Deno.remove(`${layered.dir}/done`, { recursive: true }).catch(() => {});
    await Deno.remove(`${layered.dir}/.snakemake`, { recursive: true }).catch(() => {});
    const snake = await timed(["snakemake", "--cores", "2", "--quiet", "all"], layered.dir);
    await clean(layered.dir);
    const lilyMs = (await timed(lily("auto"), layered.dir)).ms;
    console.log(
      `\n| layered 1000, cold, 2 cores | lily (sandbox) ${lilyMs.toFixed(0)} ms | snakemake ${
        snake.ms.toFixed(0)
      } ms | lily is ${(snake.ms / lilyMs).toFixed(1)}× faster |`,
    );
  } else {
    console.log("\n(snakemake not installed: skipped)");
  }
}

// Fully cached re-run vs a bare deno run of an empty file.
await timed(lily("auto"), layered.dir);
const warm: number[] = [], bare: number[] = [];
for (let i = 0; i < rounds * 2; i++) {
  warm.push((await timed(lily("auto"), layered.dir)).ms);
  bare.push((await timed([deno, "run", "empty.ts"], layered.dir)).ms);
}
console.log(
  `\n| all 1000 steps cached | ${median(warm).toFixed(0)} ms | bare \`deno run\` ${
    median(bare).toFixed(0)
  } ms | ${median(warm.map((x, i) => x / bare[i])).toFixed(2)}× |`,
);

// Peak memory: the engine's process (hosts are separate processes, ≈ 45 MB each, one per job).
const peak = async (dir: string, isolation: "none" | "auto") => {
  await clean(dir);
  const m = await timed(["@time", ...lily(isolation)], dir);
  return `${Math.round((m.rssKb ?? 0) / 1024)} MB (${(m.ms / 1000).toFixed(1)} s)`;
};
console.log(
  `\npeak RSS, layered 1000 steps cold: none ${await peak(
    layered.dir,
    "none",
  )}, sandbox ${await peak(
    layered.dir,
    "auto",
  )}`,
);
await Deno.remove(layered.dir, { recursive: true });
if (!quick) {
  const big = await project("layered", 10_000);
  console.log(
    `peak RSS, layered 10,000 steps cold: none ${await peak(big, "none")}, sandbox ${await peak(
      big,
      "auto",
    )}`,
  );
  await Deno.remove(big, { recursive: true });
}
