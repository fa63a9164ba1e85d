/**
 * A foreach of N items against N equivalent static steps (issue 12: ≤ 1.1×). Both workflows
 * run the same command per item (Lily's built-in `true` with the item as an argument, read from
 * `$LILY_INPUT_ITEM`) and give each step the item in its environment; the foreach adds its
 * collector (one step in Lily's process). Measured, in interleaved rounds with paired ratios:
 * compose, a cold run (no cache) with `--isolation none` and with the default sandbox, and a
 * fully cached re-run; wall time and CPU time (the latter holds better on a loaded machine).
 * Needs /usr/bin/time (scripts/setup.sh).
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

/** Wall time, and the CPU time (user + system) of Lily and its children (`/usr/bin/time`). */
async function timed(args: string[], cwd: string): Promise<{ ms: number; cpu: number }> {
  const start = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "cpu=%U+%S", ...args],
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${args.join(" ")}:\n${err.slice(-2000)}`);
  const cpu = /cpu=([\d.]+)\+([\d.]+)/.exec(err)!;
  return { ms, cpu: (Number(cpu[1]) + Number(cpu[2])) * 1000 };
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
const wall: Record<string, Record<string, number[]>> = {};
const cpu: Record<string, Record<string, number[]>> = {};
for (const c of cases) {
  [wall[c], cpu[c]] = [{ foreach: [], static: [] }, { foreach: [], static: [] }];
}
const record = (c: string, form: string, m: { ms: number; cpu: number }) => {
  wall[c][form].push(m.ms);
  cpu[c][form].push(m.cpu);
};
for (let r = 0; r < rounds; r++) {
  // Alternate which form goes first in a round.
  const order = r % 2 ? (["static", "foreach"] as const) : (["foreach", "static"] as const);
  for (const form of order) {
    const dir = dirs[form];
    record("compose", form, await timed(compose, dir));
    await clean(dir);
    record("cold none", form, await timed(run("none"), dir));
    await clean(dir);
    record("cold sandbox", form, await timed(run("auto"), dir));
    record("cached", form, await timed(run("auto"), dir));
  }
}
const ratio = (of: Record<string, number[]>) =>
  median(of.foreach.map((x, i) => x / of.static[i])).toFixed(2);
console.log(`## foreach of ${n} items vs ${n} static steps (${rounds} interleaved rounds, -j2)\n`);
console.log(
  "Wall and CPU (user + system of Lily and its children): medians; ratios are medians of per-round ratios.\n",
);
console.log(
  "| case | foreach wall | static wall | wall ratio | foreach CPU | static CPU | CPU ratio |",
);
console.log(
  "| ---- | ------------ | ----------- | ---------- | ----------- | ---------- | --------- |",
);
for (const c of cases) {
  const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
  console.log(
    `| ${c} | ${ms(wall[c].foreach)} | ${ms(wall[c].static)} | ${ratio(wall[c])}× | ${
      ms(cpu[c].foreach)
    } | ${ms(cpu[c].static)} | ${ratio(cpu[c])}× |`,
  );
}
for (const dir of Object.values(dirs)) await Deno.remove(dir, { recursive: true });
