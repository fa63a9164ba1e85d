/**
 * What the sandbox costs, per host and per step, for one or two Lily checkouts (to compare a
 * change against its base: pass the other checkout's mod.ts). Interleaved rounds, medians:
 * - **host start**: a run of 20 steps with 20 distinct policies (20 hosts, one built-in step
 *   each) minus the same run with `--isolation none`, per host;
 * - **per step**: a chain of 200 steps that start `/usr/bin/true` (one host, reused), sandbox
 *   minus `none`, per step.
 * Both with bubblewrap and with the `unshare` fallback (`LILY_SANDBOX=unshare`).
 *
 * Usage: deno run -A scripts/bench/sandbox_bench.ts [rounds=7] [other/mod.ts]
 * @module
 */
import { median } from "./_stats.ts";

const rounds = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 7);
const mods = [
  new URL("../../mod.ts", import.meta.url).pathname,
  ...Deno.args.filter((a) => a.endsWith(".ts")),
];
const deno = Deno.execPath();

function env(sandbox: string): Record<string, string> {
  return {
    RUST_BACKTRACE: "0",
    NO_COLOR: "1",
    PATH: Deno.env.get("PATH")!,
    HOME: Deno.env.get("HOME") ?? "/tmp",
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    ...(sandbox === "unshare" ? { LILY_SANDBOX: "unshare" } : {}),
  };
}

async function timed(argv: string[], cwd: string, sandbox = "bwrap"): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: env(sandbox),
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - start;
  if (!out.success) throw new Error(`${argv.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return ms;
}

const PROGRAMS = ["true", "false", "echo", "cat", "ls", "wc", "tr", "sort", "head", "tail"]
  .concat(["cut", "uniq", "env", "date", "sleep", "basename", "dirname", "mkdir", "touch", "id"]);

/** 20 steps, each its own host (a distinct allowed program: distinct Deno permissions). */
function hostsFlow(): string {
  let petal = `petal: "1"\nname: hosts\nsteps:\n`;
  PROGRAMS.forEach((program, i) => {
    petal += `  - id: s${i}\n    uses: shell\n    resources: {binaries: [\"${program}\"]}\n` +
      `    with: {run: "true s${i}"}\n`;
  });
  return petal;
}

function chainFlow(): string {
  let petal = `petal: "1"\nname: chain\nsteps:\n`;
  for (let i = 0; i < 200; i++) {
    petal += `  - id: s${i}\n    uses: shell\n    with: {run: "/usr/bin/true s${i}"}\n` +
      (i ? `    needs: [s${i - 1}]\n` : "");
  }
  return petal;
}

async function project(mod: string, petal: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lily-sandbox-bench-" });
  await Deno.writeTextFile(`${dir}/flow.petal`, petal);
  await Deno.writeTextFile(`${dir}/.lilyrc`, "allowed_binaries: [/usr/bin/true]\n");
  await timed([deno, "run", "-A", mod, "compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], dir);
  return dir;
}

const results: string[] = [];
for (const mod of mods) {
  const hosts = await project(mod, hostsFlow());
  const chain = await project(mod, chainFlow());
  const run = (isolation: string) => [
    deno,
    "run",
    "-A",
    mod,
    "run",
    "flow.lock.yaml",
    "-q",
    "-j",
    "1",
    "--isolation",
    isolation,
  ];
  const samples: Record<string, number[]> = {};
  const add = (k: string, v: number) => (samples[k] ??= []).push(v);
  const clean = (dir: string) => Deno.remove(`${dir}/.lily`, { recursive: true }).catch(() => {});
  for (let r = 0; r < rounds; r++) {
    for (const [name, dir, per] of [["host", hosts, 20], ["step", chain, 200]] as const) {
      await clean(dir);
      const none = await timed(run("none"), dir);
      for (const sandbox of ["bwrap", "unshare"]) {
        await clean(dir);
        add(`${name}/${sandbox}`, (await timed(run("auto"), dir, sandbox) - none) / per);
      }
    }
  }
  for (const [k, v] of Object.entries(samples)) {
    results.push(`${mod}\t${k}\t${median(v).toFixed(2)} ms`);
  }
  await Deno.remove(hosts, { recursive: true });
  await Deno.remove(chain, { recursive: true });
}
console.log(results.join("\n"));
