/**
 * The per-step costs issue 11 §7's run targets were lost to, each measured alone, in one
 * process, interleaved over rounds (medians): whole-run A/Bs (`run_bench.ts --engine-ab`) say
 * how much a change moved a run, this says what each piece costs on this machine.
 *
 * - attempt directory: what a sandboxed attempt did to its private directory (mkdir of
 *   `a<id>/tmp`, the output moved out, the directory removed), against what it does now when
 *   the attempt left it empty (the output moved out, two lstat and two readDir to check it).
 * - record HMAC: `createHmac` (a Node stream per call in Deno) against `src/util/hmac.ts`.
 * - spawn: how long `Deno.Command#spawn()` of `/usr/bin/true` blocks the calling thread
 *   (`posix_spawn`: until the child has exec'd), one program at a time.
 *
 * Usage: deno run -A scripts/bench/step_costs_bench.ts [rounds=5] [n=500]
 * @module
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { hmacSha256 } from "../../src/util/hmac.ts";
import { median } from "./_stats.ts";

const rounds = Number(Deno.args[0] ?? 5);
const n = Number(Deno.args[1] ?? 500);
const base = await Deno.makeTempDir({ prefix: "lily-step-costs-" });
Deno.mkdirSync(join(base, "io"));

const cases: Record<string, (i: number) => void | Promise<void>> = {
  async "attempt directory: made and removed (before)"(i) {
    const dir = join(base, `a${i}`);
    await Deno.mkdir(join(dir, "tmp"), { recursive: true, mode: 0o700 });
    await Deno.rename(join(dir, "out"), join(base, "io", "x")).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  },
  "attempt directory: checked empty and kept (now)"() {
    const dir = join(base, "kept");
    try {
      Deno.lstatSync(join(dir, "out")); // no output file: nothing to move
      throw new Error("an output file");
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const plain = (path: string) => {
      const info = Deno.lstatSync(path);
      return info.isDirectory && (info.mode! & 0o7777) === 0o700;
    };
    if (!plain(dir) || !plain(join(dir, "tmp"))) throw new Error("not kept");
    if ([...Deno.readDirSync(dir)].length !== 1) throw new Error("not empty");
    for (const _ of Deno.readDirSync(join(dir, "tmp"))) throw new Error("not empty");
  },
  "record HMAC: createHmac (before)"() {
    createHmac("sha256", SECRET).update(RECORD).digest("hex");
  },
  "record HMAC: src/util/hmac.ts (now)"() {
    mac(RECORD);
  },
  "spawn: Deno.Command#spawn() blocks the thread"() {
    const child = new Deno.Command("/usr/bin/true", {
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    waits.push(child.status);
  },
};
const SECRET = "0123456789abcdef".repeat(4);
const RECORD = JSON.stringify({
  created: new Date().toISOString(),
  key: `sha256:${"ab".repeat(32)}`,
  outputs: {},
  step: "s123",
});
const mac = hmacSha256(SECRET);
const waits: Promise<unknown>[] = [];
Deno.mkdirSync(join(base, "kept", "tmp"), { recursive: true, mode: 0o700 });
Deno.chmodSync(join(base, "kept"), 0o700);

const perOp: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) {
  const names = Object.keys(cases);
  if (r % 2) names.reverse();
  for (const name of names) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await cases[name](i);
    (perOp[name] ??= []).push((performance.now() - start) / n);
    await Promise.all(waits.splice(0));
  }
}
const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
console.log(`| cost (${rounds} rounds × ${n}, medians) | per step |`);
console.log("|---|---|");
for (const [name, ms] of Object.entries(perOp)) {
  console.log(`| ${name} | ${(median(ms) * 1000).toFixed(0)} µs |`);
}
console.log(`\nLoad average: ${load}`);
await Deno.remove(base, { recursive: true });
