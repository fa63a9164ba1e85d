/**
 * `if:` conditions compiled at compose: every name they read is checked against what the step
 * can see (params, vars, its env, outputs of steps it follows), typed, and kept as an AST.
 * @module
 */
import { LilyError, LilyErrors } from "../errors.ts";
import type * as Expr from "../expr/mod.ts";
import type { IODecl, ValueType } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import type { Dag } from "./dag.ts";
import type { PlanInputs, Planned, StepList } from "./types.ts";

/** What the conditions of one list of steps may read. */
export interface ConditionContext {
  inputs: PlanInputs;
  list: StepList;
  /** For `on_error`: the DAG of `steps:`, every step of which it may read. */
  mainDag?: Dag;
}

/** Compiles the `if:` of each planned step in place; throws every problem found. */
export async function compileConditions(
  planned: Planned,
  context: ConditionContext,
): Promise<void> {
  const { inputs, list, mainDag } = context;
  const withIf = planned.steps.filter((s) => planned.sources.get(s.id)!.step.if !== undefined);
  if (withIf.length === 0) return;
  const expr: typeof Expr = await import("../expr/mod.ts");
  const errors: LilyError[] = [];
  const typeOf = (t: ValueType): Expr.ExprType | "secret" => {
    if (t === "secret") return "secret";
    if (t === "int" || t === "float" || t === "bool") return t;
    if (t === "json") return "any";
    return "str";
  };
  for (const step of withIf) {
    const { step: source, index } = planned.sources.get(step.id)!;
    const text = source.if!;
    const reachable = new Set(planned.dag.ancestors(step.id));
    if (list === "on_error" && mainDag) { for (const id of mainDag.order) reachable.add(id); }
    const outputsOf = (id: string): Record<string, IODecl> | undefined => {
      if (!reachable.has(id)) return undefined;
      const s = inputs.petal.steps.find((x) => x.id === id) ??
        inputs.petal.on_error?.find((x) => x.id === id);
      return s?.outputs ?? {};
    };
    const envNames = new Set([...Object.keys(step.env), ...step.resources.env]);
    const scope: Expr.Scope = {
      lookup(path: readonly string[]) {
        const [root, a, b, c, ...rest] = path;
        if (root === "params" && a !== undefined && b === undefined) {
          // Own names only: `params.constructor` is not a declared parameter.
          const t = Object.hasOwn(inputs.paramTypes, a) ? inputs.paramTypes[a] : undefined;
          return t ? typeOf(t) : undefined;
        }
        if (root === "vars" && a !== undefined && b === undefined) {
          return inputs.petal.vars && Object.hasOwn(inputs.petal.vars, a) ? "str" : undefined;
        }
        if (root === "env" && a !== undefined && b === undefined) {
          return envNames.has(a) ? "str" : undefined;
        }
        if (
          root === "steps" && a !== undefined && b === "outputs" && c !== undefined &&
          rest.length === 0
        ) {
          const outputs = outputsOf(a);
          const out = outputs && Object.hasOwn(outputs, c) ? outputs[c] : undefined;
          return out ? typeOf(out.type ?? (out.path !== undefined ? "file" : "str")) : undefined;
        }
        return undefined;
      },
      allSteps: [...inputs.petal.steps, ...(inputs.petal.on_error ?? [])].map((s) => s.id),
      names(prefix: readonly string[]) {
        const [root, a] = prefix;
        if (prefix.length === 0) return ["params", "vars", "env", "steps"];
        if (root === "params") return Object.keys(inputs.paramTypes);
        if (root === "vars") return Object.keys(inputs.petal.vars ?? {});
        if (root === "env") return [...envNames];
        if (root === "steps" && prefix.length === 1) return [...reachable];
        if (root === "steps" && prefix.length === 2) return ["outputs"];
        if (root === "steps" && prefix.length === 3) return Object.keys(outputsOf(a) ?? {});
        return [];
      },
    };
    const span = lazyLocate(inputs.raw, [list, index, "if"], { content: true });
    try {
      const compiled = expr.compileExpr(text, scope, span);
      step.if = { source: text, ast: compiled.ast, status: compiled.status };
    } catch (error) {
      if (error instanceof LilyError) errors.push(error);
      else throw error;
    }
  }
  if (errors.length) throw new LilyErrors(errors);
}
