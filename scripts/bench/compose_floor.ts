/**
 * The floor under `lily compose` of the generated 1000-step file: what a process costs before
 * compose does its own work. Whole processes, interleaved rounds, medians of wall and CPU time
 * (user + system from `/usr/bin/time`), each row also as a share of the full compose:
 *
 * - `deno run` of an empty file (Deno's own start-up),
 * - start-up + importing every module that compose of this file loads (nothing run),
 * - + reading the file and parsing it with js-yaml alone,
 * - + loading it as compose does (js-yaml, origins, limits) and validating it with zod,
 * - `lily compose` of the same file with its templates written out (`{{ params.size }}` as
 *   `720`): no template engine, no taint check (the program check then parses each script),
 * - the whole `lily compose`.
 *
 * Usage: deno run -A scripts/bench/compose_floor.ts [rounds=11]
 * @module
 */
import { generatePetal } from "./compose_gen.ts";
import { median } from "./_stats.ts";

const rounds = Number(Deno.args[0] ?? 11);
const root = new URL("../../", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "lily-floor-" });
const big = generatePetal(1000, 20);
await Deno.writeTextFile(`${dir}/big.petal`, big);
await Deno.writeTextFile(`${dir}/plain.petal`, big.replaceAll("{{ params.size }}", "720"));
await Deno.writeTextFile(`${dir}/empty.ts`, "");
// What `lily compose` of this file imports: the CLI's command, the pipeline, the template
// engine (the file has templates) and the warnings printer.
const imports = ["src/cli/main.ts", "src/cli/compose.ts", "src/pipeline.ts", "src/template/mod.ts"]
  .map((m) => `import "${root}${m}";`).join("\n");
await Deno.writeTextFile(`${dir}/imports.ts`, imports + "\n");
await Deno.writeTextFile(
  `${dir}/yaml.ts`,
  `${imports}
import jsyaml from "js-yaml";
jsyaml.load(await Deno.readTextFile("big.petal"));
`,
);
await Deno.writeTextFile(
  `${dir}/validate.ts`,
  `${imports}
import { loadSource } from "${root}src/source/load.ts";
import { validate } from "${root}src/schema/validate.ts";
import { Petal } from "${root}src/schema/petal.ts";
const doc = await loadSource("${dir}/big.petal");
validate(Petal, doc.data, { what: "workflow" });
`,
);

const config = ["--config", `${root}deno.json`];
const cases: Record<string, string[]> = {
  "deno run empty.ts": ["run", "empty.ts"],
  "+ imports of compose": ["run", "-A", ...config, "imports.ts"],
  "+ js-yaml parse": ["run", "-A", ...config, "yaml.ts"],
  "+ load (origins) + zod": ["run", "-A", ...config, "validate.ts"],
  "lily compose, no templates": [
    "run",
    "-A",
    `${root}mod.ts`,
    "compose",
    "plain.petal",
    "-o",
    "plain.lock.yaml",
    "-q",
  ],
  "lily compose": [
    "run",
    "-A",
    `${root}mod.ts`,
    "compose",
    "big.petal",
    "-o",
    "big.lock.yaml",
    "-q",
  ],
};

async function time(args: string[]): Promise<{ wall: number; cpu: number }> {
  const start = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "LILY_BENCH_CPU %U %S", Deno.execPath(), ...args],
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
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

const loadavg = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const loadBefore = await loadavg();
for (const args of Object.values(cases)) await time(args); // warm Deno's caches
const samples: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(await time(args));
}
const full = samples["lily compose"];
const share = (xs: number[], of: number[]) => median(xs.map((x, i) => x / of[i]));
console.log(`load average: ${loadBefore} before, ${await loadavg()} after`);
console.log(
  `${rounds} interleaved rounds; share = median of per-round ratios to the whole compose`,
);
console.log("| case | wall | share | CPU | share |");
console.log("|---|---|---|---|---|");
for (const [name, xs] of Object.entries(samples)) {
  const wall = xs.map((x) => x.wall);
  const cpu = xs.map((x) => x.cpu);
  console.log(
    `| ${name} | ${median(wall).toFixed(0)} ms | ${
      (100 * share(wall, full.map((x) => x.wall))).toFixed(0)
    }% | ${median(cpu).toFixed(0)} ms | ${
      (100 * share(cpu, full.map((x) => x.cpu))).toFixed(0)
    }% |`,
  );
}
await Deno.remove(dir, { recursive: true });
