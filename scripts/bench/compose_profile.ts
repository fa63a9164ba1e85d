/**
 * Where a cold `lily compose` of the generated 1000-step file spends its time: runs it
 * `runs` times with `--cpu-prof` and counts each sample in the first stage found on its stack
 * (from the root down), so a stage's figure includes what it calls. Samples outside every
 * stage are start-up (module loading and compiling before compose begins) or the garbage
 * collector, which V8 reports as a frame of its own. Profiling slows the process down: read
 * the shares, and the milliseconds only relative to each other.
 *
 * Usage: deno run -A scripts/bench/compose_profile.ts [runs=5] [--mod PATH/mod.ts]
 * @module
 */
import { generatePetal } from "./compose_gen.ts";

const modAt = Deno.args.indexOf("--mod");
const mod = modAt >= 0 ? Deno.args[modAt + 1] : new URL("../../mod.ts", import.meta.url).pathname;
const runs = Number(
  Deno.args.find((a, i) => /^\d+$/.test(a) && (modAt < 0 || i !== modAt + 1)) ?? 5,
);

/** Stages by the function that runs them (label, function name, file ending). */
const STAGES: [label: string, fn: string, file: string][] = [
  ["source load (js-yaml, origins)", "loadSource", "source/load.ts"],
  ["schema validation (zod)", "validate", "schema/validate.ts"],
  ["render: taint check", "escapeShellScript", "template/shell_context.ts"],
  ["render: rest", "renderPetal", "compose/render.ts"],
  ["plan: program check", "programErrors", "plan/check_programs.ts"],
  ["plan: cache-key digests", "cacheKeyOf", "plan/cache_key.ts"],
  ["plan: rest", "buildPlan", "plan/build.ts"],
  ["spec_hash", "specHashOf", "lock/spec_hash.ts"],
  ["lock YAML text", "lockText", "lock/build.ts"],
  ["undeclared-reads warnings", "undeclaredReads", "plan/undeclared_reads.ts"],
  ["compose, other", "composeUnchecked", "src/pipeline.ts"],
  ["CLI after compose (write, warnings)", "main", "cli/compose.ts"],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const dir = await Deno.makeTempDir({ prefix: "lily-profile-" });
await Deno.writeTextFile(`${dir}/big.petal`, generatePetal(1000, 20));
const totals = new Map<string, number>();
let all = 0;
for (let r = 0; r < runs; r++) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--cpu-prof",
      `--cpu-prof-dir=${dir}/prof`,
      mod,
      "compose",
      "big.petal",
      "-o",
      "big.lock.yaml",
      "-q",
    ],
    cwd: dir,
    env: { RUST_BACKTRACE: "0", NO_COLOR: "1" },
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}
for (const entry of Deno.readDirSync(`${dir}/prof`)) {
  const profile = JSON.parse(await Deno.readTextFile(`${dir}/prof/${entry.name}`)) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const stageOf = new Map<number, string>();
  const stage = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      chain.unshift(byId.get(at)!);
    }
    const leaf = chain[chain.length - 1].callFrame.functionName;
    let found = leaf === "(garbage collector)"
      ? "garbage collector"
      : leaf === "(idle)"
      ? "idle (waiting: files, module loading)"
      : "start-up (module loading, compiling) and other";
    // The innermost stage on the stack wins: the taint check inside rendering, the program
    // check and digests inside the plan, spec_hash inside compose.
    for (const node of chain) {
      const named = STAGES.find(([, fn, file]) =>
        node.callFrame.functionName === fn && node.callFrame.url.endsWith(file)
      );
      if (named) found = named[0];
    }
    stageOf.set(id, found);
    return found;
  };
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = stage(id);
    totals.set(name, (totals.get(name) ?? 0) + ms);
    all += ms;
  });
}
const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(
  `${runs} cold runs under --cpu-prof, load average ${load}; ${
    (all / runs).toFixed(0)
  } ms of samples per run`,
);
console.log("| stage | ms per run | share |");
console.log("|---|---|---|");
for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${name} | ${(ms / runs).toFixed(0)} | ${(100 * ms / all).toFixed(0)}% |`);
}
await Deno.remove(dir, { recursive: true });
