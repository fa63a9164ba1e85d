/**
 * Lily's shell before and after a change: the same work run by two source trees, interleaved
 * rounds, medians of paired ratios (this machine is noisy). Two measures:
 *
 * - **interpreter**: scripts that stay inside the shell (a `while` loop of arithmetic and
 *   `[`, a `for` loop calling a function with `case`, pipelines and `$( )` of built-ins,
 *   redirections, and 1000 one-line scripts `true <id>` as the engine runs them), in a fresh
 *   `deno` process per tree and round, after a warm-up; CPU time (user + system) of that
 *   process, which other jobs on a busy machine disturb far less than wall time;
 * - **run**: `lily run --isolation none` of run_bench.ts's builtin shape (layered, 1000 steps,
 *   `-j2`, cold), where every step is one `true <id>` in Lily's shell: wall time, and CPU time
 *   from `/usr/bin/time`.
 *
 * Usage: deno run -A scripts/bench/shell_bench.ts --against DIR [rounds=9] [--quick]
 * where DIR is another checkout of Lily (e.g. `git archive main | tar -x -C /tmp/base`).
 * Ratios are this tree's time over DIR's: below 1 is faster.
 * @module
 */
import { writeDag } from "./run_gen.ts";
import { median } from "./_stats.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 9);
const quick = Deno.args.includes("--quick");
const againstAt = Deno.args.indexOf("--against");
if (againstAt < 0 || !Deno.args[againstAt + 1]) {
  console.error("usage: shell_bench.ts --against DIR [rounds] [--quick]");
  Deno.exit(2);
}
const trees = {
  before: await Deno.realPath(Deno.args[againstAt + 1]),
  after: await Deno.realPath(new URL("../..", import.meta.url).pathname),
};
const deno = Deno.execPath();
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  PATH: Deno.env.get("PATH")!,
  HOME: Deno.env.get("HOME") ?? "/tmp",
  ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
};

/** The scripts of the interpreter measure, by name. */
const SCRIPTS: Record<string, string> = {
  "while + arith + [": "i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done",
  "for + function + case":
    'f() { case $1 in *7) n=$((n + 1));; *) : ;; esac; }; n=0; w=""; i=0; while [ $i -lt 500 ]; do w="$w $i"; i=$((i + 1)); done; for r in 1 2 3 4 5 6 7 8; do for x in $w; do f $x; done; done',
  "pipelines of built-ins":
    'i=0; while [ $i -lt 1000 ]; do echo "$i" | cat | read x; i=$((i + 1)); done',
  "$( ) and redirections":
    'i=0; : > out; while [ $i -lt 2000 ]; do x=$(echo "$i"); echo "$x" >> out; i=$((i + 1)); done; cat out > copy',
};

/** A module that times each script in `tree`'s shell and prints JSON {name: ms}. */
function workload(tree: string, dir: string): string {
  return `
import process from "node:process";
import { parseScript, runScript } from ${JSON.stringify(`${tree}/src/shell/mod.ts`)};
const scripts = ${JSON.stringify(SCRIPTS)};
const dir = ${JSON.stringify(dir)};
const sink = { write() {} };
const options = {
  cwd: dir, env: {}, signal: new AbortController().signal,
  policy: { binaries: {}, readRoots: [dir], writeRoots: [dir], allowHint: () => "" },
};
async function run(script) {
  const r = await runScript(parseScript(script), { stdin: { kind: "null" }, stdout: sink, stderr: sink }, options);
  if (r.exitCode !== 0) throw new Error(script + ": status " + r.exitCode);
}
const steps = Array.from({ length: 1000 }, (_, i) => "true s" + i);
for (const s of Object.values(scripts)) await run(s);
for (const s of steps) await run(s);
// CPU time (user + system) of this process, in ms: the scripts start no program, so this is
// the shell's own work, and far less disturbed than wall time by other jobs on the machine.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const out = {};
for (const [name, script] of Object.entries(scripts)) {
  const t = cpu();
  await run(script);
  out[name] = cpu() - t;
}
const t = cpu();
for (const s of steps) await run(s);
out["1000 scripts \`true <id>\`"] = cpu() - t;
console.log(JSON.stringify(out));
`;
}

async function output(args: string[], cwd: string): Promise<{ ms: number; stdout: string }> {
  const start = performance.now();
  const out = await new Deno.Command(deno, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const ms = performance.now() - start;
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}

const work = await Deno.makeTempDir({ prefix: "lily-shell-bench-" });
const order = (i: number) =>
  i % 2 ? (["after", "before"] as const) : (["before", "after"] as const);

// Interpreter ------------------------------------------------------------------------------
const files = { before: `${work}/before.ts`, after: `${work}/after.ts` };
for (const tree of ["before", "after"] as const) {
  await Deno.mkdir(`${work}/${tree}`);
  await Deno.writeTextFile(files[tree], workload(trees[tree], `${work}/${tree}`));
}
const inner: Record<"before" | "after", Record<string, number>[]> = { before: [], after: [] };
for (let i = 0; i < rounds; i++) {
  for (const tree of order(i)) {
    inner[tree].push(JSON.parse((await output(["run", "-A", files[tree]], work)).stdout));
  }
}
console.log(
  `## Lily's shell, this tree vs ${trees.before} (${rounds} interleaved rounds, medians)\n`,
);
console.log("| work (CPU time) | before | after | after / before |");
console.log("|---|---|---|---|");
for (const name of Object.keys(inner.before[0])) {
  const b = inner.before.map((r) => r[name]);
  const a = inner.after.map((r) => r[name]);
  console.log(
    `| ${name} | ${median(b).toFixed(1)} ms | ${median(a).toFixed(1)} ms | ${
      median(a.map((x, i) => x / b[i])).toFixed(3)
    }× |`,
  );
}

// lily run, builtin shape ------------------------------------------------------------------
if (!quick) {
  const dir = `${work}/run`;
  await Deno.mkdir(dir);
  writeDag(dir, "layered", 1000, "builtin");
  const lily = (
    tree: string,
  ) => ["run", "-A", "--v8-flags=--max-semi-space-size=1", `${tree}/mod.ts`];
  await output([...lily(trees.after), "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir);
  const wall = { before: [] as number[], after: [] as number[] };
  const cpu = { before: [] as number[], after: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    for (const tree of order(i)) {
      await Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
      const args = [...lily(trees[tree]), "run", "flow.lock.yaml", "-j", "2", "-q"];
      const start = performance.now();
      const out = await new Deno.Command("/usr/bin/time", {
        args: ["-f", "cpu=%U+%S", deno, ...args, "--isolation", "none"],
        cwd: dir,
        env,
        stdout: "null",
        stderr: "piped",
      }).output();
      wall[tree].push(performance.now() - start);
      const err = new TextDecoder().decode(out.stderr);
      if (!out.success) throw new Error(`lily run failed:\n${err}`);
      const m = /cpu=([\d.]+)\+([\d.]+)/.exec(err)!;
      cpu[tree].push((Number(m[1]) + Number(m[2])) * 1000);
    }
  }
  const row = (what: string, t: { before: number[]; after: number[] }) =>
    console.log(
      `| lily run, layered 1000 builtin, cold, \`--isolation none\` (${what}) | ${
        median(t.before).toFixed(0)
      } ms | ${median(t.after).toFixed(0)} ms | ${
        median(t.after.map((x, i) => x / t.before[i])).toFixed(3)
      }× |`,
    );
  row("CPU time", cpu);
  row("wall time", wall);
}
await Deno.remove(work, { recursive: true });
