/**
 * Generates a Petal workflow of `steps` steps in `layers` layers, each step depending on up
 * to 3 random steps of the previous layer (fixed seed), with a template in every command and
 * a typed input from one dependency — the shape `compose_bench.ts` measures.
 *
 * Usage: deno run -A scripts/bench/compose_gen.ts [steps=1000] [layers=20] > big.petal
 * @module
 */

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The Petal text of the generated workflow. */
export function generatePetal(steps = 1000, layers = 20, seed = 42): string {
  const random = prng(seed);
  const perLayer = Math.ceil(steps / layers);
  const lines = [
    'petal: "1"',
    "name: generated",
    "params:",
    "  size: {type: int, default: 720}",
    "  label: {type: str, default: bench}",
    "steps:",
  ];
  for (let i = 0; i < steps; i++) {
    const layer = Math.floor(i / perLayer);
    const deps = new Set<number>();
    if (layer > 0) {
      const start = (layer - 1) * perLayer;
      for (let k = 0; k < 3; k++) deps.add(start + Math.floor(random() * perLayer));
    }
    const needs = [...deps].sort((a, b) => a - b).map((d) => `s${d}`);
    lines.push(`  - id: s${i}`, "    uses: shell");
    if (needs.length) {
      lines.push(`    needs: [${needs.join(", ")}]`);
      lines.push(`    inputs:\n      prev: {from: steps.${needs[0]}.outputs.n}`);
    }
    lines.push(`    with:\n      run: echo "n={{ params.size }}-${i}" >> "$LILY_OUTPUT"`);
    lines.push("    outputs:\n      n: {type: str}");
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const [steps = "1000", layers = "20"] = Deno.args;
  console.log(generatePetal(Number(steps), Number(layers)).trimEnd());
}
