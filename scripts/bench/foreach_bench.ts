/**
 * A foreach of N items against N equivalent static steps (issue 12: ≤ 1.1×). Both workflows
 * run the same command per item (Lily's built-in `true` with the item as an argument, read from
 * `$LILY_INPUT_ITEM`) and give each step the item in its environment; the foreach adds its
 * collector (one step in Lily's process). Measured, in interleaved rounds with paired ratios:
 * compose, a cold run (no cache) with `--isolation none` and with the default sandbox, and a
 * fully cached re-run.
 *
 * Usage: deno run -A scripts/bench/foreach_bench.ts [rounds=5] [--items=1000]
 * @module
 */
import { median } from "./_stats.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 5);
const n = Number(Deno.args.find((a) => a.startsWith("--items="))?.slice(8) ?? 1000);
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
};
const LILY = [Deno.execPath(), "run", "-A", "--v8-flags=--max-semi-space-size=1", mod];
const RUN = 'true "$LILY_INPUT_ITEM"';

function foreachPetal(): string {
  const items = Array.from({ length: n }, (_, i) => `i${i}`);
  return `petal: "1"
name: fan
steps:
  - id: each
    uses: foreach
    with:
      items: [${items.join(", ")}]
      key: "{{ item }}"
      step:
        uses: shell
        with: {run: '${RUN}'}
`;
}

function staticPetal(): string {
  const lines = [`petal: "1"`, "name: fan", "steps:"];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - id: s${i}`,
      "    uses: shell",
      `    env: {LILY_INPUT_ITEM: i${i}}`,
      `    with: {run: '${RUN}'}`,
    );
  }
  return lines.join("\n") + "\n";
}

async function timed(args: string[], cwd: string): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(args[0], {
    args: args.slice(1),
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${args.join(" ")}:\n${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return ms;
}

async function project(text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lily-bench-foreach-" });
  await Deno.writeTextFile(`${dir}/.lilyrc`, "# bench\n");
  await Deno.writeTextFile(`${dir}/flow.petal`, text);
  return dir;
}

const compose = [...LILY, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"];
const run = (isolation: string) => [
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

const dirs = { foreach: await project(foreachPetal()), static: await project(staticPetal()) };
const cases = ["compose", "cold none", "cold sandbox", "cached"] as const;
const samples: Record<string, Record<string, number[]>> = {};
for (const c of cases) samples[c] = { foreach: [], static: [] };
for (let r = 0; r < rounds; r++) {
  // Alternate which form goes first in a round.
  const order = r % 2 ? (["static", "foreach"] as const) : (["foreach", "static"] as const);
  for (const form of order) {
    const dir = dirs[form];
    samples.compose[form].push(await timed(compose, dir));
    await clean(dir);
    samples["cold none"][form].push(await timed(run("none"), dir));
    await clean(dir);
    samples["cold sandbox"][form].push(await timed(run("auto"), dir));
    samples.cached[form].push(await timed(run("auto"), dir));
  }
}
console.log(`## foreach of ${n} items vs ${n} static steps (${rounds} interleaved rounds, -j2)\n`);
console.log("| case | foreach | static | ratio (median of per-round ratios) |");
console.log("| ---- | ------- | ------ | ---------------------------------- |");
for (const c of cases) {
  const { foreach, static: plain } = samples[c];
  const ratio = median(foreach.map((x, i) => x / plain[i]));
  console.log(
    `| ${c} | ${median(foreach).toFixed(0)} ms | ${median(plain).toFixed(0)} ms | ${
      ratio.toFixed(2)
    }× |`,
  );
}
for (const dir of Object.values(dirs)) await Deno.remove(dir, { recursive: true });
