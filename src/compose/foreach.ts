/**
 * The foreach stage of compose, between validation and rendering: each `uses: foreach` step
 * becomes one sub-step `<id>@<key>` per item it knows now (a list, `params.x`, `vars.x`, a
 * `matrix`) plus the collector `<id>`, which needs them all; a list known only at run time
 * (`steps.<id>.outputs.<name>`) leaves the inner step as a template `<id>@*` beside the
 * collector, for plan to resolve and for `finishForeach` (plan/foreach_finish.ts) to fold into
 * the collector's rule. The merged source is expanded alongside (the sub-steps' nodes keep the
 * inner step's origins), so every later error points into the inner step. Sub-step templates
 * see `item` and `index` (render.ts `locals`). Reads no file, runs nothing. docs/foreach.md.
 * @module
 */
import { derivedSpan, LilyError, LilyErrors, listNames, type Span } from "../errors.ts";
import { type IODecl, type Petal, type Step, Step as StepSchema } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import { originOf, originOfKey, setKeyOrigin, setOrigin } from "../source/origin.ts";
import { collectorInput, subStepId } from "../steps/foreach.ts";
import { badKey, keyOf, matrixKey, missingField, parseKeyTemplate } from "../steps/foreach_keys.ts";
import { matrixCombinations } from "../steps/foreach_matrix.ts";

/** One foreach of the workflow, as plan/foreach_finish.ts needs it. */
export interface ForeachInfo {
  id: string;
  /** The id of the inner step's template (items known at run time), else undefined. */
  templateId?: string;
  /** The key template of items known at run time. */
  key?: string;
  /** The sub-steps of items known at compose, in item order. */
  subs?: { id: string; item: unknown }[];
}

/** The workflow with its foreach steps expanded. */
export interface ForeachExpansion {
  petal: Petal;
  /** The merged source, expanded the same way (positions of sub-steps are the inner step's). */
  raw: Record<string, unknown>;
  /** Per sub-step, what its templates see besides params and vars. */
  locals: Map<Step, Record<string, unknown>>;
  foreach: ForeachInfo[];
}

/** What the stage reads besides the workflow. */
export interface ForeachContext {
  /** Param values (secrets absent). */
  params: Record<string, unknown>;
  secretParams: ReadonlySet<string>;
  /** A var's value as templates see it (rendered), for `items: vars.x`. */
  varValue(name: string): Promise<unknown>;
}

const FOREACH_FIELDS = new Set(["id", "uses", "needs", "description", "with"]);
const WITH_FIELDS = ["items", "matrix", "key", "max_parallel", "fail_fast", "step"];
const ITEM_TEMPLATE = /\{[{%][^}]*\b(item|index)\b/;

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Expands the foreach steps of `petal` (undefined when it has none). Throws every problem
 * found, positioned (LILY-E0959–E0968).
 */
export async function expandForeach(
  petal: Petal,
  raw: unknown,
  context: ForeachContext,
): Promise<ForeachExpansion | undefined> {
  if (!petal.steps.some((s) => s.uses === "foreach")) {
    const stray = (petal.on_error ?? []).findIndex((s) => s.uses === "foreach");
    if (stray >= 0) {
      throw new LilyError("LILY-E0967", "an `on_error` step cannot be a foreach", {
        span: lazyLocate(raw, ["on_error", stray, "uses"]),
        hint: "fan out in `steps:`; an `on_error` step runs once",
      });
    }
    return undefined;
  }
  const rawSteps = (raw as { steps: unknown[] }).steps;
  const errors: LilyError[] = [];
  const steps: Step[] = [];
  const stepNodes: unknown[] = [];
  const locals = new Map<Step, Record<string, unknown>>();
  const foreach: ForeachInfo[] = [];
  const ids = new Set(petal.steps.map((s) => s.id));
  const outputsOf = new Map(petal.steps.map((s) => [s.id, s]));
  const keep = (step: Step, index: number) => {
    stepNodes.push(rawSteps[index]);
    steps.push(step);
    const origin = originOfKey(rawSteps, index);
    if (origin) setKeyOrigin(stepNodes, stepNodes.length - 1, origin);
  };
  for (const [index, step] of petal.steps.entries()) {
    if (step.uses !== "foreach") {
      keep(step, index);
      continue;
    }
    const at = (path: (string | number)[], key = false): Span =>
      lazyLocate(raw, ["steps", index, ...path], { key });
    const mine: LilyError[] = [];
    const fail = (code: "LILY-E0959" | "LILY-E0960", message: string, span: Span, hint: string) =>
      mine.push(new LilyError(code, message, { span, hint }));
    for (const field of Object.keys(step)) {
      if (!FOREACH_FIELDS.has(field) && (step as Record<string, unknown>)[field] !== undefined) {
        fail(
          "LILY-E0959",
          `foreach step \`${step.id}\`: \`${field}\` belongs to the inner step`,
          at([field], true),
          `move it into \`with.step\` (each item's sub-step gets it); a foreach step takes id, needs, description and with`,
        );
      }
    }
    const w = step.with ?? {};
    for (const field of Object.keys(w)) {
      if (!WITH_FIELDS.includes(field)) {
        fail(
          "LILY-E0959",
          `foreach step \`${step.id}\`: unknown field \`with.${field}\``,
          at(["with", field], true),
          `a foreach's \`with:\` takes ${listNames(WITH_FIELDS)}`,
        );
      }
    }
    const innerRaw = isMap(rawSteps[index]) && isMap((rawSteps[index] as { with?: unknown }).with)
      ? ((rawSteps[index] as { with: Record<string, unknown> }).with.step)
      : undefined;
    let inner: Step | undefined;
    if (!isMap(w.step)) {
      fail(
        "LILY-E0959",
        `foreach step \`${step.id}\` has no \`with.step\` (the step to run per item)`,
        at(w.step === undefined ? (step.with ? ["with"] : []) : ["with", "step"]),
        "give it `with: {items: [a, b], step: {uses: shell, with: {run: 'echo \"$LILY_INPUT_ITEM\"'}}}`",
      );
    } else if ("id" in w.step) {
      mine.push(
        new LilyError("LILY-E0967", `the inner step of \`${step.id}\` has an \`id\``, {
          span: at(["with", "step", "id"], true),
          hint:
            `sub-steps are named \`${step.id}@<key>\`; remove \`id\` (set \`with.key\` to name them)`,
        }),
      );
    } else {
      const parsed = StepSchema.safeParse({ ...w.step, id: step.id });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = issue.path.filter((p) => typeof p !== "symbol") as (string | number)[];
          const keys = (issue as { keys?: string[] }).keys;
          mine.push(
            new LilyError(
              "LILY-E0967",
              `the inner step of \`${step.id}\` is not a valid step: ${
                keys?.length ? `unknown field \`${keys[0]}\`` : issue.message
              }${path.length ? ` (at \`${path.join(".")}\`)` : ""}`,
              {
                span: at(["with", "step", ...path, ...(keys?.length ? [keys[0]] : [])], !!keys),
                hint: "the inner step is a step without `id` (uses, with, inputs, outputs, …)",
              },
            ),
          );
        }
      } else if (parsed.data.uses === "include") {
        mine.push(
          new LilyError("LILY-E0967", `the inner step of \`${step.id}\` is an include`, {
            span: at(["with", "step", "uses"]),
            hint:
              "an include per item is not supported in this version: run the fragment's work as the inner step",
          }),
        );
      } else if (parsed.data.uses === "foreach") {
        mine.push(
          new LilyError("LILY-E0967", `the inner step of \`${step.id}\` is itself a foreach`, {
            span: at(["with", "step", "uses"]),
            hint: "use `matrix:` for several axes, or a foreach over a list of objects",
          }),
        );
      } else if (parsed.data.inputs && Object.hasOwn(parsed.data.inputs, "item")) {
        mine.push(
          new LilyError(
            "LILY-E0967",
            `the inner step of \`${step.id}\` declares an input \`item\``,
            {
              span: at(["with", "step", "inputs", "item"], true),
              hint: "`$LILY_INPUT_ITEM` is the item; name the input otherwise",
            },
          ),
        );
      } else inner = parsed.data;
    }
    const maxParallel = w.max_parallel ?? null;
    if (maxParallel !== null && (!Number.isInteger(maxParallel) || (maxParallel as number) < 1)) {
      mine.push(
        new LilyError("LILY-E0966", "`max_parallel` is not a positive integer", {
          span: at(["with", "max_parallel"]),
          hint: "`max_parallel: 2` runs at most two items at once; leave it out for the run's -j",
        }),
      );
    }
    if (w.fail_fast !== undefined && typeof w.fail_fast !== "boolean") {
      mine.push(
        new LilyError("LILY-E0966", "`fail_fast` is not true or false", {
          span: at(["with", "fail_fast"]),
          hint: "`fail_fast: true`: one failed item cancels the other items of this foreach",
        }),
      );
    }
    const failFast = (w.fail_fast as boolean | undefined) ?? w.matrix !== undefined;
    // The items, or the rule for items known at run time.
    let items: unknown[] | undefined;
    let source = "list";
    let runtime: { id: string; output: string } | undefined;
    let defaultKey = "{{ index }}";
    if (w.items !== undefined && w.matrix !== undefined) {
      fail(
        "LILY-E0960",
        `foreach step \`${step.id}\` has both \`items\` and \`matrix\``,
        at(["with", "matrix"], true),
        "keep one: `items` is one axis, `matrix` several",
      );
    } else if (w.matrix !== undefined) {
      source = "matrix";
      defaultKey = "";
      const result = matrixCombinations(w.matrix);
      if ("problems" in result) {
        for (const p of result.problems) {
          mine.push(
            new LilyError("LILY-E0965", `foreach step \`${step.id}\`: ${p.message}`, {
              span: at(["with", "matrix", ...p.path]),
              hint: "a matrix maps axes to non-empty lists; `include`/`exclude` are lists of maps",
            }),
          );
        }
      } else items = result.combinations;
    } else if (Array.isArray(w.items)) {
      items = w.items;
    } else if (typeof w.items === "string") {
      source = w.items.trim();
      const param = /^params\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(source);
      const variable = /^vars\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(source);
      const output = /^steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/
        .exec(source);
      const span = at(["with", "items"]);
      if (param) {
        const name = param[1];
        if (context.secretParams.has(name)) {
          fail(
            "LILY-E0960",
            `\`items: ${source}\` is a secret`,
            span,
            "a secret cannot name sub-steps",
          );
        } else if (!Object.hasOwn(context.params, name)) {
          mine.push(notFound(source, span, Object.keys(context.params).map((n) => `params.${n}`)));
        } else items = listOr(context.params[name], source, span, mine);
      } else if (variable) {
        const name = variable[1];
        if (!Object.hasOwn(petal.vars ?? {}, name)) {
          mine.push(
            notFound(source, span, Object.keys(petal.vars ?? {}).map((n) => `vars.${n}`)),
          );
        } else {
          const value = await context.varValue(name);
          let list: unknown = value;
          if (typeof value === "string") {
            try {
              list = JSON.parse(value);
            } catch {
              list = value;
            }
          }
          items = listOr(list, source, span, mine);
        }
      } else if (output) {
        const [, producer, name] = output;
        const decl: IODecl | undefined = outputsOf.get(producer)?.outputs?.[name];
        const isForeach = outputsOf.get(producer)?.uses === "foreach";
        if (!ids.has(producer) || producer === step.id || (!decl && !isForeach)) {
          mine.push(
            notFound(
              source,
              span,
              petal.steps.flatMap((s) =>
                Object.keys(s.outputs ?? {}).map((o) => `steps.${s.id}.outputs.${o}`)
              ),
            ),
          );
        } else if (decl && decl.type !== "json") {
          mine.push(
            new LilyError("LILY-E0962", `\`items: ${source}\` is not a list`, {
              span,
              hint: `declare the output \`type: json\` (a JSON list); it is \`${
                decl.type ?? "str"
              }\``,
            }),
          );
        } else runtime = { id: producer, output: name };
      } else {
        fail(
          "LILY-E0960",
          `\`items: ${source}\` is not a list or a reference`,
          span,
          "`items` is a list, `params.<name>`, `vars.<name>` or `steps.<id>.outputs.<name>`",
        );
      }
    } else {
      fail(
        "LILY-E0960",
        `foreach step \`${step.id}\` has no ${
          w.items === undefined ? "`items` or `matrix`" : "list in `items`"
        }`,
        at(w.items === undefined ? ["with"] : ["with", "items"]),
        "`items: [a, b]`, `items: params.files`, `items: steps.list.outputs.files` or `matrix: {os: [a, b]}`",
      );
    }
    const keySource = typeof w.key === "string" ? w.key : w.key === undefined ? defaultKey : null;
    const keyTemplate = keySource === null
      ? { error: "`key` is not text" }
      : parseKeyTemplate(keySource);
    if ("error" in keyTemplate) {
      mine.push(
        new LilyError("LILY-E0968", `foreach step \`${step.id}\`: ${keyTemplate.error}`, {
          span: at(["with", "key"]),
          hint: "a key is text with `{{ item }}`, `{{ item.<field> }}` and `{{ index }}`",
        }),
      );
    }
    const itemAt = runtime && innerRaw !== undefined ? itemTemplateAt(innerRaw) : undefined;
    if (itemAt) {
      // At the `{{ item }}` itself (a `|` block's lines share the block's indentation).
      const field = lazyLocate(raw, ["steps", index, "with", "step", ...itemAt.path], {
        content: true,
      });
      mine.push(
        new LilyError(
          "LILY-E0967",
          `the inner step of \`${step.id}\` uses \`item\` in a template, but its items are known only at run time`,
          {
            span: derivedSpan(field, (w) => ({
              file: w.file,
              line: w.line + itemAt.line - 1,
              col: w.col + itemAt.col - 1,
              length: itemAt.length,
            })),
            hint:
              'templates are rendered at compose; read the item from `$LILY_INPUT_ITEM` (`run: echo "$LILY_INPUT_ITEM"`)',
          },
        ),
      );
    }
    if (mine.length || !inner || "error" in keyTemplate) {
      errors.push(...mine);
      continue;
    }
    const needs = [...new Set([...(step.needs ?? []), ...(inner.needs ?? [])])];
    const outputs: Record<string, IODecl> = {};
    for (const name of Object.keys(inner.outputs ?? {})) outputs[name] = { type: "json" };
    const collectorWith: Record<string, unknown> = {
      source,
      max_parallel: maxParallel,
      fail_fast: failFast,
    };
    const collectorNode = rawSteps[index];
    if (runtime) {
      const templateId = `${step.id}@*`;
      const templateNeeds = [...new Set([...needs, runtime.id])];
      pushNode(
        steps,
        stepNodes,
        { ...inner, id: templateId, needs: templateNeeds },
        innerRaw,
        collectorNode,
      );
      steps.push({
        id: step.id,
        uses: "foreach",
        ...(step.description ? { description: step.description } : {}),
        needs: templateNeeds,
        inputs: { items: { type: "json", from: source } },
        outputs,
        with: collectorWith,
      });
      stepNodes.push(collectorNode);
      // The key template goes in after rendering (plan/foreach_finish.ts): it is not a template
      // of compose.
      foreach.push({ id: step.id, templateId, key: keySource! });
      continue;
    }
    const keys: string[] = [];
    const seen = new Map<string, number>();
    const subIds: string[] = [];
    const subs: { id: string; item: unknown }[] = [];
    const collectorInputs: Record<string, IODecl> = {};
    items!.forEach((item, i) => {
      const key = keySource === "" ? matrixKey(item as Record<string, unknown>) : keyOf(
        keyTemplate,
        item,
        i,
      );
      const itemSpan = Array.isArray(w.items) ? at(["with", "items", i]) : at(
        ["with", w.key === undefined ? (source === "matrix" ? "matrix" : "items") : "key"],
      );
      const missing = keySource === "" ? undefined : missingField(keyTemplate, item);
      const bad = missing === undefined ? badKey(key) : `has no field \`${missing}\``;
      if (bad) {
        errors.push(
          new LilyError(
            "LILY-E0963",
            missing !== undefined
              ? `item ${i} of \`${step.id}\` has no field \`${missing}\` (the key is \`${w.key}\`)`
              : `item ${i} of \`${step.id}\` has the key \`${key}\`, which ${bad}`,
            {
              span: itemSpan,
              hint:
                "set `with.key` to a template giving safe keys, e.g. `{{ index }}` or `{{ item.name }}`",
            },
          ),
        );
        return;
      }
      if (seen.has(key)) {
        errors.push(
          new LilyError(
            "LILY-E0964",
            `items ${seen.get(key)} and ${i} of \`${step.id}\` have the same key \`${key}\``,
            {
              span: itemSpan,
              hint:
                "keys name the sub-steps (`id@key`) and must be unique: set `with.key` (e.g. `{{ index }}`)",
            },
          ),
        );
        return;
      }
      seen.set(key, i);
      keys.push(key);
      const id = subStepId(step.id, key);
      subIds.push(id);
      subs.push({ id, item });
      const sub: Step = { ...inner, id, needs };
      pushNode(steps, stepNodes, sub, innerRaw, collectorNode);
      locals.set(sub, { item, index: i });
      for (const [name, decl] of Object.entries(inner.outputs ?? {})) {
        collectorInputs[collectorInput(name, i)] = {
          type: decl.type ?? (decl.path !== undefined ? "file" : "str"),
          required: false,
          from: `steps.${id}.outputs.${name}`,
        };
      }
    });
    collectorWith.keys = keys;
    steps.push({
      id: step.id,
      uses: "foreach",
      ...(step.description ? { description: step.description } : {}),
      needs: subIds.length ? subIds : needs,
      inputs: collectorInputs,
      outputs,
      with: collectorWith,
    });
    stepNodes.push(collectorNode);
    foreach.push({ id: step.id, subs });
  }
  if (errors.length) throw new LilyErrors(errors);
  const rawMap = raw as Record<string, unknown>;
  const expandedRaw: Record<string, unknown> = { ...rawMap, steps: stepNodes };
  copyOrigins(rawMap, expandedRaw);
  const stepsOrigin = originOf(rawSteps);
  if (stepsOrigin) setOrigin(stepNodes, stepsOrigin);
  return { petal: { ...petal, steps }, raw: expandedRaw, locals, foreach };
}

/** Appends a sub-step (or template) and its source node: the inner step's, named by the foreach. */
function pushNode(
  steps: Step[],
  nodes: unknown[],
  step: Step,
  innerRaw: unknown,
  foreachNode: unknown,
): void {
  steps.push(step);
  if (!isMap(innerRaw)) {
    nodes.push(foreachNode);
    return;
  }
  const node: Record<string, unknown> = { ...innerRaw, id: step.id };
  copyOrigins(innerRaw, node);
  // Each need points where it was written: the foreach's `needs:` or the inner step's.
  const outer = isMap(foreachNode) && Array.isArray(foreachNode.needs) ? foreachNode.needs : [];
  const own = Array.isArray(innerRaw.needs) ? innerRaw.needs : [];
  const needs: unknown[] = [];
  for (const need of step.needs ?? []) {
    const [list, i] = own.includes(need) ? [own, own.indexOf(need)] : [outer, outer.indexOf(need)];
    needs.push(need);
    const origin = i >= 0 ? originOfKey(list, i) : undefined;
    if (origin) setKeyOrigin(needs, needs.length - 1, origin);
  }
  node.needs = needs;
  if (isMap(foreachNode)) {
    const origin = originOfKey(foreachNode, "id");
    if (origin) setKeyOrigin(node, "id", origin);
  }
  nodes.push(node);
}

function copyOrigins(from: Record<string, unknown>, to: Record<string, unknown>): void {
  const own = originOf(from);
  if (own) setOrigin(to, own);
  for (const key of Object.keys(from)) {
    const origin = originOfKey(from, key);
    if (origin) setKeyOrigin(to, key, origin);
  }
}

/**
 * Where `value` first uses `item` or `index` in a template: the field's path, and the line
 * and column (1-based) of the `{{` in its text, with the placeholder's length.
 */
function itemTemplateAt(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; line: number; col: number; length: number } | undefined {
  if (typeof value === "string") {
    const found = ITEM_TEMPLATE.exec(value);
    if (!found) return undefined;
    const before = value.slice(0, found.index).split("\n");
    const close = value.indexOf("}", found.index + found[0].length);
    return {
      path,
      line: before.length,
      col: before[before.length - 1].length + 1,
      length: (close < 0 ? value.length : close + 2) - found.index,
    };
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : isMap(value)
    ? Object.entries(value)
    : [];
  for (const [k, v] of entries) {
    const at = itemTemplateAt(v, [...path, k]);
    if (at) return at;
  }
  return undefined;
}

function notFound(source: string, span: Span, known: string[]): LilyError {
  return new LilyError("LILY-E0961", `\`items: ${source}\` does not exist`, {
    span,
    hint: known.length ? `known: ${listNames(known.slice(0, 12))}` : "declare it first",
  });
}

function listOr(value: unknown, source: string, span: Span, errors: LilyError[]) {
  if (Array.isArray(value)) return value;
  errors.push(
    new LilyError("LILY-E0962", `\`items: ${source}\` is not a list`, {
      span,
      hint: `it is ${
        JSON.stringify(value)?.slice(0, 60)
      }; a param of \`type: json\` (or a var holding JSON) with a list value`,
    }),
  );
  return undefined;
}

const SUB_STEP = /`([A-Za-z_][A-Za-z0-9_-]*)@[A-Za-z0-9_.=+-]+`/g;
const SUB_STEP_ONE = /`[A-Za-z_][A-Za-z0-9_-]*@[A-Za-z0-9_.=+-]+`/;

/**
 * Folds the errors that every item of a foreach repeats (an undefined `needs` in the inner
 * step is one error per sub-step): the first of each kind is kept, with a note saying how many
 * items have it too. Errors of other steps pass unchanged, in their order.
 *
 * @example
 * ```ts
 * import { LilyError, LilyErrors } from "../errors.ts";
 * import { foldItemErrors } from "./foreach.ts";
 * const e = (id: string) => new LilyError("LILY-E0602", `step \`${id}\` needs \`x\``);
 * const folded = foldItemErrors(new LilyErrors([e("t@0"), e("t@1"), e("t@2")]));
 * if (!(folded instanceof LilyError) || folded.notes.length !== 1) throw new Error("fold");
 * ```
 */
export function foldItemErrors(error: LilyErrors): LilyErrors | LilyError {
  const kept: LilyError[] = [];
  const counts = new Map<LilyError, number>();
  const bySignature = new Map<string, LilyError>();
  for (const e of error.errors) {
    if (!SUB_STEP_ONE.test(e.message)) {
      kept.push(e);
      continue;
    }
    const signature = `${e.code} ${e.message.replace(SUB_STEP, "`$1@…`")}`;
    const first = bySignature.get(signature);
    if (first) {
      counts.set(first, counts.get(first)! + 1);
      continue;
    }
    bySignature.set(signature, e);
    counts.set(e, 0);
    kept.push(e);
  }
  for (const [e, more] of counts) {
    if (more) e.notes.push({ message: `the same for ${more} more item(s) of this foreach` });
  }
  return kept.length === 1 ? kept[0] : new LilyErrors(kept);
}

/**
 * Foreach steps this stage did not expand: those an included fragment brought in after it ran
 * (include inlines fragments after rendering). Refused with their position rather than locked
 * as a collector of nothing.
 */
export function unexpandedForeach(petal: Petal, raw: unknown): LilyError[] {
  const errors: LilyError[] = [];
  petal.steps.forEach((step, index) => {
    if (step.uses !== "foreach" || !isMap(step.with) || !("step" in step.with)) return;
    errors.push(
      new LilyError("LILY-E0967", `foreach step \`${step.id}\` comes from an included fragment`, {
        span: lazyLocate(raw, ["steps", index, "uses"]),
        hint:
          "a foreach inside an included fragment is not supported in this version: put the foreach in the including workflow",
      }),
    );
  });
  return errors;
}
