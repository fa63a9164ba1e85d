/**
 * Generates the same DAG as a Petal workflow, a `build.ninja`, a `Makefile` and a `Snakefile`.
 * Shapes: `layered` (N steps in layers of 50, 3 random deps in the previous layer, fixed seed),
 * `wide` (N independent steps), `chain` (N steps in a line). Commands:
 * - `builtin`: every step runs `true <id>` (distinct commands, so content addressing cannot
 *   merge them). ninja and make start `/bin/sh -c "true <id>"`, where `true` is sh's built-in;
 *   Lily's shell runs its built-in in-process.
 * - `program`: every step starts the program `/usr/bin/true <id>` (allowed in `.lilyrc`):
 *   the cost of starting a process, in every tool.
 * @module
 */
import { prng } from "./compose_gen.ts";

/** DAG shapes. */
export type Shape = "layered" | "wide" | "chain";
/** What each step runs. */
export type Command = "builtin" | "program";

/** The needs of each step of a shape. */
export function dag(shape: Shape, n: number, seed = 7): string[][] {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    if (shape === "wide" || i === 0) return [];
    if (shape === "chain") return [`s${i - 1}`];
    const layer = Math.floor(i / 50);
    if (layer === 0) return [];
    const deps = new Set<number>();
    for (let k = 0; k < 3; k++) deps.add((layer - 1) * 50 + Math.floor(random() * 50));
    return [...deps].sort((a, b) => a - b).map((d) => `s${d}`);
  });
}

/** Writes flow.petal, .lilyrc, build.ninja, Makefile and Snakefile for the DAG into `dir`. */
export function writeDag(dir: string, shape: Shape, n: number, command: Command = "builtin"): void {
  const needs = dag(shape, n);
  const program = command === "program" ? "/usr/bin/true" : "true";
  let petal = `petal: "1"\nname: ${shape}\nsteps:\n`;
  let ninja = `rule run\n  command = ${program} $out\n`;
  let make = `all: ${needs.map((_, i) => `s${i}`).join(" ")}\n.PHONY: all ${
    needs.map((_, i) => `s${i}`).join(" ")
  }\n`;
  needs.forEach((deps, i) => {
    petal += `  - id: s${i}\n    uses: shell\n    with: {run: "${program} s${i}"}\n${
      deps.length ? `    needs: [${deps.join(", ")}]\n` : ""
    }`;
    ninja += `build s${i}: run${deps.length ? ` | ${deps.join(" ")}` : ""}\n`;
    make += `s${i}:${deps.length ? ` ${deps.join(" ")}` : ""}\n\t@${program} $@\n`;
  });
  Deno.writeTextFileSync(`${dir}/flow.petal`, petal);
  Deno.writeTextFileSync(
    `${dir}/.lilyrc`,
    command === "program" ? "allowed_binaries: [/usr/bin/true]\n" : "",
  );
  Deno.writeTextFileSync(`${dir}/build.ninja`, ninja);
  Deno.writeTextFileSync(`${dir}/Makefile`, make);
  // Snakemake needs files to order rules: each step touches done/<id>.
  let snake = `rule all:\n    input: [${needs.map((_, i) => `"done/s${i}"`).join(", ")}]\n`;
  needs.forEach((deps, i) => {
    snake += `rule s${i}:\n${
      deps.length ? `    input: [${deps.map((d) => `"done/${d}"`).join(", ")}]\n` : ""
    }    output: "done/s${i}"\n    shell: "${program} s${i} && touch {output}"\n`;
  });
  Deno.writeTextFileSync(`${dir}/Snakefile`, snake);
}
