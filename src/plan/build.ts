/**
 * The plan stage: from a rendered, validated workflow to resolved lock steps — defaults
 * frozen, durations in ms, typed I/O bindings checked, `if:` compiled, cache keys formed.
 * The parts: `resolve_step.ts` (one step), `check_programs.ts`, `bind_inputs.ts`,
 * `compile_conditions.ts`; this file runs them over each list of steps.
 * @module
 */
import { LilyError, LilyErrors } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { IODecl, Step } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import { compileConditions } from "./compile_conditions.ts";
import { buildDag, type Dag } from "./dag.ts";
import { resolveStep } from "./resolve_step.ts";
import type { Plan, PlanInputs, Planned, StepList } from "./types.ts";
import { typesCompatible } from "./value_types.ts";
import { planWorkflowOutputs } from "./workflow_outputs.ts";
import { outputPathErrors } from "./output_paths.ts";

export type { Plan, PlanInputs } from "./types.ts";

/** Builds the plan, reporting every problem found (each located in its source). */
export async function buildPlan(inputs: PlanInputs): Promise<Plan> {
  const { petal } = inputs;
  const results = planWorkflowOutputs(petal, inputs.raw, typesCompatible);
  results.errors.push(...outputPathErrors(petal, inputs.raw));
  let main: Planned;
  try {
    main = planSteps(petal.steps, { list: "steps", inputs });
  } catch (error) {
    if (error instanceof LilyErrors && results.errors.length) {
      throw new LilyErrors([...error.errors, ...results.errors]);
    }
    throw error;
  }
  if (results.errors.length) throw new LilyErrors(results.errors);
  const onError = planSteps(petal.on_error ?? [], {
    list: "on_error",
    inputs,
    mainDag: main.dag,
  });
  await compileConditions(main, { inputs, list: "steps" });
  await compileConditions(onError, { inputs, list: "on_error", mainDag: main.dag });
  return {
    levels: main.dag.levels,
    steps: main.steps,
    on_error: onError.steps,
    outputs: results.outputs,
  };
}

/** One list of steps (`steps:` or `on_error:`) and what it may read. */
interface ListContext {
  list: StepList;
  inputs: PlanInputs;
  /** For `on_error`: the DAG of `steps:`. */
  mainDag?: Dag;
}

function planSteps(steps: Step[], { list, inputs, mainDag }: ListContext): Planned {
  const { raw } = inputs;
  const dag = buildDag(
    steps.map((s, i) => ({ id: s.id, needs: s.needs ?? [], path: [list, i] })),
    raw,
    list === "on_error" ? "on_error step" : "step",
  );
  const errors: LilyError[] = [];
  const where = (path: (string | number)[], key = false) => lazyLocate(raw, path, { key });
  const sources = new Map<string, { step: Step; index: number }>();
  steps.forEach((step, index) => sources.set(step.id, { step, index }));
  const allOutputs = new Map<string, Record<string, IODecl>>();
  for (const s of steps) allOutputs.set(s.id, s.outputs ?? {});
  const mainOutputs = list === "on_error" ? inputs.petal.steps : [];
  for (const s of mainOutputs) if (!allOutputs.has(s.id)) allOutputs.set(s.id, s.outputs ?? {});

  const resolved: LockStep[] = [];
  for (const [index, step] of steps.entries()) {
    const path = [list, index];
    try {
      // `on_error` steps notify and clean up: a cached notification would be silent the
      // second time the run fails, so they run every time unless they opt in.
      const planned = list === "on_error" && step.cache?.policy === undefined
        ? { ...step, cache: { ...step.cache, policy: "never" as const } }
        : step;
      resolved.push(
        resolveStep(planned, { inputs, list, path, dag, mainDag, outputsOf: allOutputs, where }),
      );
    } catch (error) {
      if (error instanceof LilyErrors) errors.push(...error.errors);
      else if (error instanceof LilyError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length) throw new LilyErrors(errors);
  resolved.sort((a, b) => a.level - b.level || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { dag, steps: resolved, sources };
}
