// What the official LLM SDKs would cost Lily's start, the reason docs/llm.md gives for speaking
// the protocols with fetch: `deno run -A scripts/bench/llm_sdk_import.ts [rounds]`.
// Each round starts fresh Deno processes, interleaved: one imports nothing (the floor), one
// imports each SDK (`openai`, `@anthropic-ai/sdk`, `ollama`, the versions of the npm registry
// list this project was measured with) and constructs a client with a custom fetch. Reported:
// the median wall time of the process, the in-process import time, the resident memory at the
// end, and the median of per-round ratios of wall time to the floor. The packages are fetched
// into Deno's cache before the first round (not timed).
import { median } from "./_stats.ts";

const rounds = Number(Deno.args[0] ?? 9);
const SDKS: Record<string, string> = {
  floor: "",
  openai: `const m = await import("npm:openai@7.55.0"); new m.default({ apiKey: "x", fetch });`,
  anthropic:
    `const m = await import("npm:@anthropic-ai/sdk@1.10.0"); new m.default({ apiKey: "x", fetch });`,
  ollama: `const m = await import("npm:ollama@0.6.4"); new m.Ollama({ fetch });`,
};

function code(body: string): string {
  return `const t = performance.now();\n${body}\nconsole.log(JSON.stringify({ ms: performance.now() - t, rss: Deno.memoryUsage().rss }));`;
}

async function once(body: string): Promise<{ wall: number; ms: number; rss: number }> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--node-modules-dir=none", code(body)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const wall = performance.now() - t0;
  if (!out.success) throw new Error(`the child failed: ${body}`);
  const { ms, rss } = JSON.parse(new TextDecoder().decode(out.stdout));
  return { wall, ms, rss };
}

for (const body of Object.values(SDKS)) await once(body); // fetch and warm Deno's cache
const results: Record<string, { wall: number; ms: number; rss: number }[]> = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, body] of Object.entries(SDKS)) (results[name] ??= []).push(await once(body));
}
console.log(`${rounds} interleaved rounds, medians (wall: the whole process)`);
for (const [name, runs] of Object.entries(results)) {
  const ratio = median(runs.map((x, i) => x.wall / results.floor[i].wall));
  console.log(
    `${name.padEnd(10)} wall ${median(runs.map((x) => x.wall)).toFixed(0)} ms (${
      ratio.toFixed(2)
    }× floor), import ${median(runs.map((x) => x.ms)).toFixed(0)} ms, rss ${
      (median(runs.map((x) => x.rss)) / 1e6).toFixed(0)
    } MB`,
  );
}
