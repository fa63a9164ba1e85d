/**
 * The render stage: every template in the fields that allow one is rendered exactly once,
 * here, at compose time. Nothing is rendered at run time. Imports the template engine only
 * when some field holds a template.
 * @module
 */
import { type LilyError, LilyErrors, type Span, userErrors } from "../errors.ts";
import type { Petal, Step } from "../schema/petal.ts";
import type { List } from "../shell/ast.ts";
import { lazyLocate } from "../source/locate.ts";
import type * as TemplateModule from "../template/mod.ts";
import { includeSecretHint } from "./include_params.ts";
import { ItemErrors } from "./item_errors.ts";
import { shellFields } from "./shell_fields.ts";

const TEMPLATE = /\{[{%#]/;

/** What the templates may see and did use. */
export interface RenderInputs {
  params: Record<string, unknown>;
  secretParams: ReadonlySet<string>;
  templateEnv: readonly string[];
  getEnv: (name: string) => string | undefined;
  projectRoot: string;
  sourceDateEpoch?: number;
  /** Names the templates of one step see besides params and vars (foreach: `item`, `index`). */
  locals?: ReadonlyMap<Step, Record<string, unknown>>;
}

/** Side effects of rendering, recorded in the lock's provenance. */
export interface RenderEffects {
  nondeterministic: { kind: string; where: string }[];
  envReads: Set<string>;
  usedClock: boolean;
  /** Per rendered field (`steps.<id>.with.run`), the `params.*`/`vars.*` names it read. */
  reads: Map<string, string[]>;
  /** Per step id: the `| shell_code` outputs (`with.run: params.cmd | shell_code`). */
  shellCode: Map<string, string[]>;
  /** Rendered scripts the taint check parsed, by text: plan checks them without parsing again. */
  parsedScripts: Map<string, List>;
}

/** Renders all templated fields of a validated workflow; returns a new document. */
export async function renderPetal(
  petal: Petal,
  raw: unknown,
  inputs: RenderInputs,
): Promise<{ petal: Petal; effects: RenderEffects }> {
  const effects: RenderEffects = {
    nondeterministic: [],
    envReads: new Set(),
    usedClock: false,
    reads: new Map(),
    shellCode: new Map(),
    parsedScripts: new Map(),
  };
  if (!containsTemplate(petal)) return { petal, effects };
  const engine: typeof TemplateModule = await import("../template/mod.ts");
  await engine.prepareTemplates(collectTemplates(petal, []));
  const vars: Record<string, unknown> = {};
  let locals: Record<string, unknown> | undefined;
  const context = (seed: string): TemplateModule.TemplateContext => ({
    // Only a step's own fields see its locals (renderStep sets them).
    locals: seed.startsWith("steps.") ? locals : undefined,
    params: inputs.params,
    secretParams: inputs.secretParams,
    vars,
    env: { allowed: inputs.templateEnv, get: inputs.getEnv },
    projectRoot: inputs.projectRoot,
    sourceDateEpoch: inputs.sourceDateEpoch,
    seed: `${petal.name}/${seed}`,
  });
  // `steps.<id>.with.run` rather than `steps.3.with.run`: stable when steps move.
  const describe = (path: (string | number)[]): string => {
    const [list, index, ...rest] = path;
    if ((list === "steps" || list === "on_error") && typeof index === "number") {
      const step = (list === "steps" ? petal.steps : petal.on_error ?? [])[index];
      return [list, step?.id ?? index, ...rest].join(".");
    }
    return path.join(".");
  };
  // Fields that reach a shell, by path: their values are escaped for the shell (shell_fields.ts).
  const shells = shellFields(petal);
  // Every field is rendered even after one fails: all errors of the pass are reported at once.
  const errors: LilyError[] = [];
  const items = new ItemErrors();
  const render = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === "string") {
      if (!TEMPLATE.test(value)) return value;
      const where = lazyWhere(raw, path);
      const shell = shells.get(path.join("."));
      let result: TemplateModule.Rendered & { shellCode?: string[]; tree?: List };
      try {
        result = shell === undefined
          ? engine.renderTemplate(value, context(path.join(".")), where)
          : engine.renderShellScript(value, context(path.join(".")), where, shell);
      } catch (error) {
        let found = userErrors(error);
        if (!found) throw error;
        // A foreach's items share their templates: an error there is reported once.
        const step = path[0] === "steps" ? petal.steps[path[1] as number] : undefined;
        if (step) found = includeSecretHint(step, path.slice(2), found);
        errors.push(...(step ? items.add(step.id, path.slice(2).join("."), found) : found));
        return value;
      }
      const at = describe(path);
      if (result.tree) effects.parsedScripts.set(result.text, result.tree);
      if (result.shellCode?.length) {
        const [, stepId, ...field] = at.split(".");
        const list = effects.shellCode.get(stepId) ?? [];
        list.push(...result.shellCode.map((expr) => `${field.join(".")}: ${expr}`));
        effects.shellCode.set(stepId, list);
      }
      if (result.effects.now) {
        effects.usedClock = true;
        effects.nondeterministic.push({ kind: "now", where: at });
      }
      if (result.effects.randomUuid) {
        effects.nondeterministic.push({ kind: "uuid-random", where: at });
      }
      if (result.effects.machinePath) effects.nondeterministic.push({ kind: "abspath", where: at });
      for (const name of result.effects.envRead) effects.envReads.add(name);
      if (result.effects.reads?.length) effects.reads.set(at, result.effects.reads);
      return result.text;
    }
    if (Array.isArray(value)) return value.map((v, i) => render(v, [...path, i]));
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = render(v, [...path, k]);
      return out;
    }
    return value;
  };
  for (const [name, value] of Object.entries(petal.vars ?? {})) {
    vars[name] = render(String(value), ["vars", name]);
  }
  const env = petal.env && render(stringify(petal.env), ["env"]) as Record<string, string>;
  const renderStep = (step: Step, path: (string | number)[]): Step => {
    locals = inputs.locals?.get(step);
    return {
      ...step,
      description: step.description &&
        render(step.description, [...path, "description"]) as string,
      with: step.with && render(step.with, [...path, "with"]) as Record<string, unknown>,
      env: step.env && render(stringify(step.env), [...path, "env"]) as Record<string, string>,
      inputs: step.inputs && renderPaths(step.inputs, [...path, "inputs"], render),
      outputs: step.outputs && renderPaths(step.outputs, [...path, "outputs"], render),
    };
  };
  const rendered: Petal = {
    ...petal,
    vars: petal.vars && vars as Record<string, string>,
    env,
    steps: petal.steps.map((s, i) => renderStep(s, ["steps", i])),
    on_error: petal.on_error?.map((s, i) => renderStep(s, ["on_error", i])),
    outputs: petal.outputs && render(petal.outputs, ["outputs"]) as Petal["outputs"],
    artifacts: petal.artifacts && render(petal.artifacts, ["artifacts"]) as Petal["artifacts"],
  };
  items.finish();
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new LilyErrors(errors);
  return { petal: rendered, effects };
}

function renderPaths<T extends { path?: string }>(
  decls: Record<string, T>,
  path: (string | number)[],
  render: (value: unknown, path: (string | number)[]) => unknown,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, decl] of Object.entries(decls)) {
    out[name] = decl.path === undefined
      ? decl
      : { ...decl, path: render(decl.path, [...path, name, "path"]) as string };
  }
  return out;
}

function stringify(map: Record<string, string | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = String(v);
  return out;
}

function collectTemplates(value: unknown, out: string[]): string[] {
  if (typeof value === "string") {
    if (TEMPLATE.test(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectTemplates(v, out);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) collectTemplates(v, out);
  }
  return out;
}

function containsTemplate(value: unknown): boolean {
  if (typeof value === "string") return TEMPLATE.test(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(containsTemplate);
  }
  return false;
}

/** A position computed only if an error asks for it (locating re-parses the file). */
function lazyWhere(raw: unknown, path: (string | number)[]): Span {
  return lazyLocate(raw, path, { content: true });
}
