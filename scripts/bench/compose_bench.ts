/**
 * Compose and start-up benchmark, as whole processes, interleaved (the machine is noisy):
 * - `deno run` of an empty file (the floor),
 * - `lily --help` (target ≤ 2.5× the floor),
 * - `lily compose` of a generated 1000-step Petal (target ≤ 11× the floor),
 * - `lily explain` of the resulting lock.
 * Prints medians and median paired ratios.
 *
 * Usage: deno run -A scripts/bench/compose_bench.ts [rounds=15]
 * @module
 */
import { generatePetal } from "./compose_gen.ts";

const rounds = Number(Deno.args[0] ?? 15);
const dir = await Deno.makeTempDir({ prefix: "lily-bench-" });
const mod = new URL("../../mod.ts", import.meta.url).pathname;
await Deno.writeTextFile(`${dir}/empty.ts`, "");
await Deno.writeTextFile(`${dir}/big.petal`, generatePetal(1000, 20));
const env = { RUST_BACKTRACE: "0", NO_COLOR: "1" };

const cases: Record<string, string[]> = {
  "deno run empty.ts": ["run", `${dir}/empty.ts`],
  "lily --help": ["run", "-A", mod, "--help"],
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
  "lily explain 1000-step lock": [
    "run",
    "-A",
    mod,
    "explain",
    `${dir}/big.lock.yaml`,
    "--format",
    "json",
  ],
};

async function time(args: string[]): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
for (const args of Object.values(cases)) await time(args); // warm the module cache
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) samples[name].push(await time(args));
}
const floor = samples["deno run empty.ts"];
console.log(
  `${rounds} interleaved rounds, whole processes; ratio = median of per-round ratios to \`deno run empty.ts\``,
);
console.log("| case | median | ratio |");
console.log("|---|---|---|");
for (const [name, xs] of Object.entries(samples)) {
  const ratio = median(xs.map((x, i) => x / floor[i]));
  console.log(`| ${name} | ${median(xs).toFixed(1)} ms | ${ratio.toFixed(2)}× |`);
}
await Deno.remove(dir, { recursive: true });
