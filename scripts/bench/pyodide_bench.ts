/**
 * 100 trivial `python` steps with `runtime: pyodide` (`-j1`, cold: no cache), interleaved
 * rounds of three runs of the same steps:
 *
 * - **pyodide, snapshot**: the interpreter's memory snapshot is in Lily's user cache (made by
 *   a run before the rounds): what every run after the first on a machine costs;
 * - **pyodide, no snapshot**: a fresh user cache each round, so the worker boots pyodide from
 *   scratch (and makes the snapshot): what the snapshot saves;
 * - **pyodide, eager tiering**: as the first, with WebAssembly tiered up eagerly in the
 *   background (`LILY_PYODIDE_V8_FLAGS=--no-wasm-dynamic-tiering`) instead of V8's default
 *   lazy tiering;
 * - **system**: the same code with `runtime: system` (the pinned python3 in the default
 *   sandbox), for scale.
 *
 * Per run it reads the manifest: the first step's duration (it starts the worker) and the
 * median of the others (a warm worker: fresh globals, the runner, the engine's own cost per
 * step), and the whole `lily run`. Medians over rounds; ratios are medians of per-round ratios.
 * Targets (issue 11 §7): first ≤ 1 s, each further ≤ 50 ms.
 *
 * On a busy machine wall times say more about the other processes than about Lily, so it also
 * measures the **CPU time** (user + system, `/usr/bin/time`) of a worker process from its start
 * until its interpreter is ready, booted from the snapshot and from scratch, interleaved.
 *
 * Usage: deno run -A scripts/bench/pyodide_bench.ts [rounds=3] [steps=100]
 * @module
 */
import { workerCommand } from "../../adapters/python.ts";
import { encodeWire, packMessage, readWire } from "../../src/sandbox/pyodide_worker_wire.ts";
import { median } from "./_stats.ts";
const numbers = Deno.args.filter((a) => /^\d+$/.test(a)).map(Number);
const rounds = numbers[0] ?? 3;
const steps = numbers[1] ?? 100;
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const baseEnv: Record<string, string> = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  DENO_DIR: Deno.env.get("DENO_DIR") ?? JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
        .outputSync().stdout,
    ),
  ).denoDir,
};
const LILY = [Deno.execPath(), "run", "-A", "--v8-flags=--max-semi-space-size=1", mod];

async function timed(
  cmd: string[],
  cwd: string,
  cache: string,
  extra: Record<string, string> = {},
): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: { ...baseEnv, XDG_CACHE_HOME: cache, ...extra },
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** The first step's duration and the median of the others, from the run's manifest and events. */
async function stepTimes(dir: string): Promise<{ first: number; rest: number }> {
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  const runDir = `${dir}/.lily/runs/${runs[runs.length - 1]}`;
  const manifest = JSON.parse(await Deno.readTextFile(`${runDir}/manifest.json`));
  const events = (await Deno.readTextFile(`${runDir}/events.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l));
  const order = events.filter((e) => e.type === "step.started").map((e) => e.step as string);
  const durations = order.map((id) => manifest.steps[id].duration_ms as number);
  return { first: durations[0], rest: median(durations.slice(1)) };
}

async function project(runtime: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `lily-bench-pyodide-${runtime}-` });
  let petal = 'petal: "1"\nname: pyodidebench\nsteps:\n';
  for (let i = 0; i < steps; i++) {
    petal += `  - id: s${String(i).padStart(3, "0")}\n    uses: python\n` +
      `    with: { runtime: ${runtime}, code: "import lily\\nlily.output('v', ${i} * 2)" }\n` +
      `    outputs: { v: { type: int } }\n`;
  }
  await Deno.writeTextFile(`${dir}/flow.petal`, petal);
  await timed([...LILY, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir, dir);
  return dir;
}

const pyodide = await project("pyodide");
const system = await project("system");
const warmCache = await Deno.makeTempDir({ prefix: "lily-bench-pyodide-cache-" });
const run = ["run", "flow.lock.yaml", "-j", "1", "-q"];
const clean = (dir: string) => Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
// Makes the snapshot in the warm cache (and warms Deno's module cache for both runtimes).
await timed([...LILY, ...run], pyodide, warmCache);
await timed([...LILY, ...run], system, warmCache);

type Sample = { total: number; first: number; rest: number };
const samples: Record<string, Sample[]> = { snapshot: [], eager: [], fresh: [], system: [] };
for (let r = 0; r < rounds; r++) {
  await clean(pyodide);
  let total = await timed([...LILY, ...run], pyodide, warmCache);
  samples.snapshot.push({ total, ...await stepTimes(pyodide) });
  await clean(pyodide);
  total = await timed([...LILY, ...run], pyodide, warmCache, {
    LILY_PYODIDE_V8_FLAGS: "--no-wasm-dynamic-tiering",
  });
  samples.eager.push({ total, ...await stepTimes(pyodide) });
  await clean(pyodide);
  const freshCache = await Deno.makeTempDir({ prefix: "lily-bench-pyodide-fresh-" });
  total = await timed([...LILY, ...run], pyodide, freshCache);
  samples.fresh.push({ total, ...await stepTimes(pyodide) });
  await Deno.remove(freshCache, { recursive: true });
  await clean(system);
  total = await timed([...LILY, ...run], system, warmCache);
  samples.system.push({ total, ...await stepTimes(system) });
}

/** Starts a worker under /usr/bin/time, waits until it is ready, ends it: wall and CPU ms. */
async function workerBoot(snapshot: Uint8Array | null): Promise<{ wall: number; cpu: number }> {
  const [program, ...args] = workerCommand(false);
  const started = performance.now();
  const proc = new Deno.Command("/usr/bin/time", {
    args: ["-f", "LILY_BENCH_CPU %U %S", program, ...args],
    env: { DENO_DIR: baseEnv.DENO_DIR },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = proc.stdin.getWriter();
  await stdin.write(
    encodeWire("I", packMessage({ makeSnapshot: false }, snapshot ? [snapshot] : [])),
  );
  const frames = readWire(proc.stdout);
  for await (const frame of frames) if (frame.type === "Y" || frame.type === "F") break;
  const wall = performance.now() - started;
  await stdin.close();
  (async () => {
    for await (const _ of frames) { /* drain */ }
  })();
  let err = "";
  for await (const chunk of proc.stderr) err += new TextDecoder().decode(chunk);
  await proc.status;
  const cpu = /LILY_BENCH_CPU ([\d.]+) ([\d.]+)/.exec(err);
  if (!cpu) throw new Error(`no CPU time from /usr/bin/time:\n${err}`);
  return { wall, cpu: (Number(cpu[1]) + Number(cpu[2])) * 1000 };
}

const snapshotFile = [...Deno.readDirSync(`${warmCache}/lily/pyodide`)]
  .find((e) => e.name.endsWith(".snapshot"))!.name;
const snapshotBytes = await Deno.readFile(`${warmCache}/lily/pyodide/${snapshotFile}`);
const boots: Record<string, { wall: number; cpu: number }[]> = { snapshot: [], scratch: [] };
for (let r = 0; r < rounds; r++) {
  boots.snapshot.push(await workerBoot(snapshotBytes));
  boots.scratch.push(await workerBoot(null));
}

const med = (k: string, f: keyof Sample) => median(samples[k].map((s) => s[f]));
const ratio = (a: string, b: string, f: keyof Sample) =>
  median(samples[a].map((s, i) => s[f] / samples[b][i][f]));
const load = Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`${steps} python steps, -j1, ${rounds} interleaved rounds (load average ${load})`);
console.log("                        whole run   first step   each further (median)");
for (
  const [k, label] of [
    ["snapshot", "pyodide, snapshot"],
    ["eager", "  eager wasm tiering"],
    ["fresh", "pyodide, no snapshot"],
    ["system", "system (sandbox)"],
  ]
) {
  console.log(
    `  ${label.padEnd(22)}${med(k, "total").toFixed(0).padStart(7)} ms${
      med(k, "first").toFixed(0).padStart(10)
    } ms${med(k, "rest").toFixed(1).padStart(12)} ms`,
  );
}
console.log(
  `first step, snapshot / no snapshot: ${ratio("snapshot", "fresh", "first").toFixed(2)}×; ` +
    `each further, pyodide / system: ${ratio("snapshot", "system", "rest").toFixed(2)}×; ` +
    `whole run, pyodide / system: ${ratio("snapshot", "system", "total").toFixed(2)}×`,
);
console.log(
  `eager wasm tiering / V8's default (lazy): first step ${
    ratio("eager", "snapshot", "first").toFixed(2)
  }×, each further ${ratio("eager", "snapshot", "rest").toFixed(2)}×`,
);
const boot = (k: string, f: "wall" | "cpu") => median(boots[k].map((b) => b[f]));
console.log(
  `worker boot until ready (${rounds} interleaved rounds): from the snapshot ${
    boot("snapshot", "cpu").toFixed(0)
  } ms CPU (${boot("snapshot", "wall").toFixed(0)} ms wall), from scratch ${
    boot("scratch", "cpu").toFixed(0)
  } ms CPU (${boot("scratch", "wall").toFixed(0)} ms wall): ${
    median(boots.snapshot.map((b, i) => b.cpu / boots.scratch[i].cpu)).toFixed(2)
  }× the CPU`,
);
console.log("targets: first ≤ 1000 ms, each further ≤ 50 ms");
for (const dir of [pyodide, system, warmCache]) await Deno.remove(dir, { recursive: true });
