/**
 * The foreach collector, a kind runner (KIND_RUNNERS in mod.ts): the lock step `<id>` of a
 * `uses: foreach` needs every sub-step `<id>@<key>` and reads, as ordinary inputs, each item's
 * outputs (`<output>__<index>`, bound by the engine from `steps.<id>@<key>.outputs.<output>`).
 * It writes, per output of the inner step, the list of the items' values in item order (null
 * where an item produced none) to `$LILY_OUTPUT`. It runs in Lily's process because it only
 * rearranges values the engine already holds: spawning a sandbox to do that would cost a
 * host start per foreach and give nothing (docs/foreach.md, "The collector").
 * @module
 */
import { isAbsolute, relative } from "node:path";
import type { CollectorWith } from "../src/steps/foreach.ts";
import { collectorInput } from "../src/steps/foreach.ts";
import type { AdapterContext } from "./mod.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** Creates the collector runner. */
export function foreachRunner(context: AdapterContext): Adapter {
  return {
    name: "foreach",
    async run(request: StepRequest): Promise<StepResult> {
      const started = performance.now();
      const { step, spec } = request;
      const withBlock = step.with as unknown as CollectorWith;
      const count = withBlock.keys?.length ?? countOf(step.inputs);
      const out: Record<string, unknown[]> = {};
      for (const name of Object.keys(step.outputs)) {
        const values: unknown[] = [];
        for (let i = 0; i < count; i++) {
          const input = collectorInput(name, i);
          const io = step.inputs[input];
          const text = spec.env[`LILY_INPUT_${input.toUpperCase()}`];
          values.push(text === undefined || !io ? null : valueOf(text, io.type, context));
        }
        out[name] = values;
      }
      if (Object.keys(out).length) {
        await Deno.writeTextFile(spec.env.LILY_OUTPUT, JSON.stringify(out));
      }
      const summary = `collected ${count} item(s)${
        Object.keys(out).length ? `: ${Object.keys(out).join(", ")}` : ""
      }\n`;
      await request.write(new TextEncoder().encode(summary), "stdout");
      return {
        exitCode: 0,
        signal: null,
        durationMs: performance.now() - started,
        enforcement: { sandbox: "none", executed: false },
      };
    },
  };
}

/** The number of items, from the collector's inputs (`<output>__<index>`). */
function countOf(inputs: Record<string, unknown>): number {
  let max = -1;
  for (const name of Object.keys(inputs)) {
    const m = /__(\d+)$/.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

function valueOf(text: string, type: string, context: AdapterContext): unknown {
  if (type === "file" || type === "dir" || type === "path") {
    return isAbsolute(text) ? relative(context.projectRoot, text).replaceAll("\\", "/") : text;
  }
  if (type === "json" || type === "int" || type === "float" || type === "bool") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
