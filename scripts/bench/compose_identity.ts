/**
 * Output identity of `lily compose` between this checkout and another: a speed-up of compose
 * must not change a byte of any lock, nor any error's text or position. Composes, with both
 * checkouts' CLIs and the same clock, every example (with its profiles and overlays), every
 * hostile fixture (tests/fixtures/bad), every whole Petal snippet of the docs, and the
 * benchmark's generated workflows (1000 steps, a sweep, and copies with an error planted late
 * in the file), then compares exit status, stdout (the lock) and stderr case by case.
 *
 * Usage: deno run -A scripts/bench/compose_identity.ts OTHER/mod.ts
 * Exits 1 when any case differs (and prints the first differing line of each).
 * @module
 */
import { generatePetal } from "./compose_gen.ts";
import { petalBlocks } from "../../tests/e2e/docs_snippets_test.ts";
import { denoDir } from "../../tests/_tools.ts";

const other = Deno.args[0];
if (!other) {
  console.error("usage: compose_identity.ts OTHER/mod.ts");
  Deno.exit(2);
}
const root = new URL("../../", import.meta.url).pathname;
const mod = `${root}mod.ts`;
const work = await Deno.makeTempDir({ prefix: "lily-identity-" });
const env = {
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  SOURCE_DATE_EPOCH: "1700000000",
  XDG_CACHE_HOME: `${work}/cache`, // Lily's caches; Deno's stays shared (DENO_DIR)
  DENO_DIR: denoDir(),
};

interface Case {
  name: string;
  cwd: string;
  args: string[];
  /** Writes the case's files (the same for both checkouts: paths in errors must agree). */
  setup?: () => Promise<void>;
}

const cases: Case[] = [];

// Examples, with each of their profiles and overlays.
cases.push({ name: "examples/hello", cwd: `${root}examples/hello`, args: ["hello.petal"] });
cases.push({ name: "examples/ml", cwd: `${root}examples/ml`, args: ["ml.petal"] });
const video = `${root}examples/video`;
for (const flow of [...Deno.readDirSync(`${video}/flows`)].map((e) => e.name).sort()) {
  cases.push({ name: `video ${flow}`, cwd: video, args: [`flows/${flow}`] });
  for (const p of [...Deno.readDirSync(`${video}/profiles`)].map((e) => e.name).sort()) {
    const profile = p.replace(/\.yaml$/, "");
    cases.push({
      name: `video ${flow} --profile ${profile}`,
      cwd: video,
      args: [`flows/${flow}`, "--profile", profile],
    });
  }
  for (const o of [...Deno.readDirSync(`${video}/overlays`)].map((e) => e.name).sort()) {
    cases.push({
      name: `video ${flow} + ${o}`,
      cwd: video,
      args: [`flows/${flow}`, `overlays/${o}`],
    });
  }
}

// Hostile fixtures: errors, positions, snippets.
const bad = `${root}tests/fixtures/bad`;
for (
  const f of [...Deno.readDirSync(bad)].map((e) => e.name).filter((n) => n.endsWith(".petal"))
    .sort()
) {
  cases.push({ name: `bad/${f}`, cwd: bad, args: [f] });
}

// Docs snippets, each in the same scratch project for both checkouts.
const docs = [
  "README.md",
  ...[...Deno.readDirSync(`${root}docs`)].filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`).sort(),
];
for (const file of docs) {
  for (const block of petalBlocks(Deno.readTextFileSync(`${root}${file}`))) {
    const dir = `${work}/snippet`;
    cases.push({
      name: `${file}:${block.line}`,
      cwd: dir,
      args: ["flow.petal"],
      setup: async () => {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        await Deno.mkdir(dir, { recursive: true });
        for (const [path, text] of Object.entries({ ...block.files, "flow.petal": block.text })) {
          await Deno.mkdir(`${dir}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
          await Deno.writeTextFile(`${dir}/${path}`, text);
        }
      },
    });
  }
}

// The benchmark's workflow, a sweep of it, and copies with an error planted near the end.
const gen = `${work}/gen`;
await Deno.mkdir(gen, { recursive: true });
const big = generatePetal(1000, 20);
await Deno.writeTextFile(`${gen}/big.petal`, big);
cases.push({ name: "generated 1000", cwd: gen, args: ["big.petal"] });
cases.push({
  name: "generated 1000, -p and a sweep",
  cwd: gen,
  args: ["big.petal", "-p", "label=x", "-m", "size=1,2", "-o", `${gen}/sweep`],
});
const planted: Record<string, string> = {
  "unknown step in from": big.replace("from: steps.s900", "from: steps.s9000"),
  "bad template": big.replace('"n={{ params.size }}-950"', '"n={{ params.nope }}-950"'),
  "unknown field": big.replace("  - id: s990\n", "  - id: s990\n    bogus: 1\n"),
  "needs cycle": big.replace("  - id: s0\n", "  - id: s0\n    needs: [s999]\n"),
  "duplicate id": big.replace("  - id: s998\n", "  - id: s997\n"),
  "bad yaml": big.replace("  - id: s970\n", "  - id: s970\n   x: [\n"),
};
for (const [what, text] of Object.entries(planted)) {
  if (text === big) throw new Error(`planting "${what}" changed nothing`);
  const file = `${what.replaceAll(" ", "_")}.petal`;
  await Deno.writeTextFile(`${gen}/${file}`, text);
  cases.push({ name: `generated 1000, ${what}`, cwd: gen, args: [file] });
}

async function compose(
  entry: string,
  c: Case,
): Promise<{ code: number; stdout: string; stderr: string; files: string }> {
  await c.setup?.();
  const args = c.args.includes("-o") ? c.args : [...c.args, "-o", "-"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", entry, "compose", ...args],
    cwd: c.cwd,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  // A sweep writes files: their names and texts are part of the output.
  let files = "";
  const o = c.args.indexOf("-o");
  if (o >= 0) {
    const dir = c.args[o + 1];
    const names = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
    for (const e of names.map((e) => e.name).sort()) {
      files += `== ${e}\n${await Deno.readTextFile(`${dir}/${e}`)}`;
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr), files };
}

let differ = 0;
for (const c of cases) {
  const a = await compose(mod, c);
  const b = await compose(other, c);
  const parts = ["code", "stdout", "stderr", "files"] as const;
  const bad = parts.filter((p) => String(a[p]) !== String(b[p]));
  if (bad.length === 0) continue;
  differ++;
  console.log(`DIFFERS ${c.name}: ${bad.join(", ")}`);
  for (const p of bad) {
    const la = String(a[p]).split("\n");
    const lb = String(b[p]).split("\n");
    const i = la.findIndex((l, k) => l !== lb[k]);
    console.log(`  ${p} line ${i + 1}:\n    this:  ${la[i]}\n    other: ${lb[i]}`);
  }
}
const locks = cases.length;
console.log(`${locks - differ} of ${locks} cases identical (exit status, lock, errors)`);
await Deno.remove(work, { recursive: true });
Deno.exit(differ ? 1 : 0);
