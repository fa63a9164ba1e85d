// What the JSON Schema validator costs, and that runs without a schema do not pay it:
// `deno run -A scripts/bench/json_schema_bench.ts [rounds]`.
// Each round starts fresh Deno processes (module loading is what is measured): one imports
// `src/json_schema/validate.ts` and validates a first value (the cost a run with a schema pays
// once), one times validations after that. Then `deno info` checks that nothing reachable from
// `mod.ts` imports the validator statically (a run without schemas never loads it).
const rounds = Number(Deno.args[0] ?? 9);
const config = new URL("../../deno.json", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).href;

const FIRST = `const t = performance.now();
const m = await import("${root}src/json_schema/validate.ts");
await m.schemaViolation(1, { type: "integer" });
console.log(performance.now() - t);`;
const EACH = `const m = await import("${root}src/json_schema/validate.ts");
const schema = { type: "object", required: ["w"],
  properties: { w: { type: "integer" }, tag: { pattern: "^v[0-9]+$" } } };
await m.schemaViolation({ w: 0, tag: "v0" }, schema);
const t = performance.now();
for (let i = 0; i < 10000; i++) await m.schemaViolation({ w: i, tag: "v" + i }, schema);
console.log((performance.now() - t) / 10);`;

async function figure(code: string): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, code],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}

const firstMs: number[] = [];
const eachUs: number[] = [];
for (let i = 0; i < rounds; i++) {
  firstMs.push(await figure(FIRST));
  eachUs.push(await figure(EACH));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}
const info = await new Deno.Command(Deno.execPath(), {
  args: ["info", "--json", "--config", config, new URL("../../mod.ts", import.meta.url).pathname],
  stdout: "piped",
}).output();
const graph = JSON.parse(new TextDecoder().decode(info.stdout));
const staticUses = (graph.modules as { specifier: string; dependencies?: Dependency[] }[])
  .flatMap((m) =>
    (m.dependencies ?? []).filter((d) => !d.isDynamic && d.specifier.includes("cfworker"))
      .map(() => m.specifier)
  );

console.log(`rounds: ${rounds}`);
console.log(`import + first validation: median ${median(firstMs).toFixed(1)} ms`);
console.log(
  `each further validation (small object, pattern): median ${median(eachUs).toFixed(1)} µs`,
);
console.log(
  `modules importing the validator statically: ${
    staticUses.length ? staticUses.join(", ") : "none"
  }`,
);
