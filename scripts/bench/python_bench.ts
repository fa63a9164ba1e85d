/**
 * 100 trivial `python` steps (runtime `system`) against the same 100 `python3 -c` commands
 * under make, `-j2`, cold (no cache), interleaved rounds, medians of paired ratios. Both start
 * the same interpreter: make runs the path Lily pinned (a pyenv shim resolved to the real
 * interpreter), so the ratio is Lily's cost per Python step (runner, audit hook, engine,
 * sandbox), not a difference of interpreters. Target: ≤ 1.5× make.
 *
 * Usage: deno run -A scripts/bench/python_bench.ts [rounds=5] [steps=100] [--python=PROGRAM]
 * (`--python=/usr/bin/python3`: Debian's interpreter, which starts faster than pyenv's, so
 * Lily's own share weighs more.)
 * Needs make and python3 (scripts/setup.sh installs them).
 * @module
 */
import { median } from "./_stats.ts";
const numbers = Deno.args.filter((a) => /^\d+$/.test(a)).map(Number);
const rounds = numbers[0] ?? 5;
const steps = numbers[1] ?? 100;
const interpreter = Deno.args.find((a) => a.startsWith("--python="))?.slice(9) ?? "python3";
const mod = new URL("../../mod.ts", import.meta.url).pathname;
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
};
const LILY = [Deno.execPath(), "run", "-A", "--v8-flags=--max-semi-space-size=1", mod];

async function timed(cmd: string[], cwd: string): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

const dir = await Deno.makeTempDir({ prefix: "lily-bench-python-" });
let petal = 'petal: "1"\nname: pybench\nsteps:\n';
for (let i = 0; i < steps; i++) {
  petal +=
    `  - id: s${i}\n    uses: python\n    with: { code: "print(${i} * 2)", python: ${interpreter} }\n`;
}
await Deno.writeTextFile(`${dir}/flow.petal`, petal);
await timed([...LILY, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir);
const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
const python = /\n {4}"?[^\n]*python3"?:\n\s+path: "?([^"\n]+)"?\n/.exec(lock)?.[1];
if (!python) throw new Error("no interpreter pin in the lock");
let makefile = `.PHONY: all ${Array.from({ length: steps }, (_, i) => `s${i}`).join(" ")}\n`;
makefile += `all: ${Array.from({ length: steps }, (_, i) => `s${i}`).join(" ")}\n`;
for (let i = 0; i < steps; i++) makefile += `s${i}:\n\t@${python} -c "print(${i} * 2)"\n`;
await Deno.writeTextFile(`${dir}/Makefile`, makefile);

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
const clean = () => Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
const samples: Record<string, number[]> = { none: [], auto: [], make: [] };
await timed(run("auto"), dir); // warm Deno's module cache for hosts
for (let r = 0; r < rounds; r++) {
  await clean();
  samples.none.push(await timed(run("none"), dir));
  await clean();
  samples.auto.push(await timed(run("auto"), dir));
  samples.make.push(await timed(["make", "-s", "-j2"], dir));
}
const ratio = (k: string) => median(samples[k].map((ms, i) => ms / samples.make[i]));
console.log(`${steps} python steps, -j2, ${rounds} interleaved rounds (interpreter ${python})`);
console.log(`  make (python3 -c)        ${median(samples.make).toFixed(0)} ms`);
console.log(
  `  lily --isolation none    ${median(samples.none).toFixed(0)} ms  (${
    ratio("none").toFixed(2)
  }× make)`,
);
console.log(
  `  lily (default sandbox)   ${median(samples.auto).toFixed(0)} ms  (${
    ratio("auto").toFixed(2)
  }× make; target ≤ 1.5×)`,
);
await Deno.remove(dir, { recursive: true });
