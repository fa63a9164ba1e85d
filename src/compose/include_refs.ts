/**
 * The references an inlined fragment's steps and their dependants carry, rewritten at compose:
 * a fragment's own ids get the include's prefix (`post` → `notify.post`, in `needs:`,
 * `from: steps.post.outputs.x`, `if:`), and a reference to an include step (`needs: [notify]`,
 * `steps.notify.outputs.x`) becomes the inner steps that produce it. Pure functions of the
 * step; conditions are rewritten on their tokens, never inside string literals.
 * @module
 */
import type { Step } from "../schema/petal.ts";
import { tokenize } from "../expr/lexer.ts";

const STEP_OUTPUT = /^steps\.([A-Za-z_][A-Za-z0-9_.-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/;
const PARAM = /^params\.([A-Za-z_][A-Za-z0-9_.]*)$/;

/**
 * `text` (an `if:` condition) with each dotted name (`steps.a.outputs.b`, `params.n`) that
 * `replace` maps to a new text replaced by it. A text that does not tokenize is returned
 * unchanged (compose reports it when it compiles the condition).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { rewriteNames } from "./include_refs.ts";
 * const out = rewriteNames("steps.a.outputs.n > 1 && 'steps.a'", (path) =>
 *   path[0] === "steps" ? ["steps", "x", ...path.slice(1)].join(".") : undefined);
 * assert(out === "steps.x.a.outputs.n > 1 && 'steps.a'");
 * ```
 */
export function rewriteNames(
  text: string,
  replace: (path: string[]) => string | undefined,
): string {
  let tokens;
  try {
    tokens = tokenize(text, { file: "<include>", line: 1, col: 1 });
  } catch {
    return text;
  }
  let out = "";
  let copied = 0;
  for (let i = 0; i < tokens.length; i++) {
    const first = tokens[i];
    if (first.kind !== "ident") continue;
    const previous = tokens[i - 1];
    if (previous?.kind === "punct" && previous.value === ".") continue;
    const path = [first.value];
    let end = first.end;
    let j = i + 1;
    while (
      tokens[j]?.kind === "punct" && tokens[j].value === "." && tokens[j + 1]?.kind === "ident"
    ) {
      path.push(tokens[j + 1].value as string);
      end = tokens[j + 1].end;
      j += 2;
    }
    const replacement = replace(path);
    if (replacement === undefined) continue;
    out += text.slice(copied, first.start) + replacement;
    copied = end;
    i = j - 1;
  }
  return out + text.slice(copied);
}

/**
 * A fragment's step, moved under the include's id `prefix`: its id, its `needs:`, the steps and
 * params its inputs read (`params.n` → `params.<prefix>.n`, the lock's name of the fragment's
 * param) and the step names of its `if:`.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { prefixStep } from "./include_refs.ts";
 * const step = prefixStep({
 *   id: "post", uses: "shell", needs: ["fmt"],
 *   inputs: { text: { from: "steps.fmt.outputs.text" }, to: { from: "params.channel" } },
 * }, "notify");
 * assert(step.id === "notify.post" && step.needs![0] === "notify.fmt");
 * assert(step.inputs!.text.from === "steps.notify.fmt.outputs.text");
 * assert(step.inputs!.to.from === "params.notify.channel");
 * ```
 */
export function prefixStep(step: Step, prefix: string): Step {
  const out: Step = { ...step, id: `${prefix}.${step.id}` };
  if (step.needs) out.needs = step.needs.map((id) => `${prefix}.${id}`);
  if (step.inputs) {
    out.inputs = {};
    for (const [name, decl] of Object.entries(step.inputs)) {
      const from = decl.from?.trim();
      const output = from === undefined ? null : STEP_OUTPUT.exec(from);
      const param = from === undefined ? null : PARAM.exec(from);
      out.inputs[name] = output
        ? { ...decl, from: `steps.${prefix}.${output[1]}.outputs.${output[2]}` }
        : param
        ? { ...decl, from: `params.${prefix}.${param[1]}` }
        : decl;
    }
  }
  if (step.if !== undefined) {
    out.if = rewriteNames(
      step.if,
      (path) =>
        path[0] === "steps" && path.length > 1
          ? ["steps", prefix, ...path.slice(1)].join(".")
          : undefined,
    );
  }
  return out;
}

/** What a reference to an include step stands for. */
export interface Exposure {
  /** The inlined steps no other inlined step needs: `needs: [include]` waits for them. */
  sinks: string[];
  /** Each workflow output of the fragment → the inner step output it reads. */
  outputs: ReadonlyMap<string, string>;
}

/** A reference to an include's output that the fragment does not expose. */
export interface Unexposed {
  include: string;
  output: string;
  /** Where in the step: `["inputs", name, "from"]`, `["if"]`. */
  field: (string | number)[];
}

/**
 * `step` with its references to include steps (`exposures`, by include id) replaced by the
 * inner steps: `needs:` by the sinks, `steps.<include>.outputs.<name>` by the producing step's
 * output. References to outputs an include does not expose are returned, not replaced.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { resolveIncludeRefs } from "./include_refs.ts";
 * const exposures = new Map([["notify", {
 *   sinks: ["notify.post"],
 *   outputs: new Map([["status", "steps.notify.post.outputs.code"]]),
 * }]]);
 * const [step, missing] = resolveIncludeRefs({
 *   id: "after", uses: "shell", needs: ["notify"],
 *   inputs: { s: { from: "steps.notify.outputs.status" }, t: { from: "steps.notify.outputs.x" } },
 * }, exposures);
 * assert(step.needs![0] === "notify.post");
 * assert(step.inputs!.s.from === "steps.notify.post.outputs.code");
 * assert(missing.length === 1 && missing[0].output === "x");
 * ```
 */
export function resolveIncludeRefs(
  step: Step,
  exposures: ReadonlyMap<string, Exposure>,
): [Step, Unexposed[]] {
  const missing: Unexposed[] = [];
  const out: Step = { ...step };
  if (step.needs?.some((id) => exposures.has(id))) {
    const needs: string[] = [];
    for (const id of step.needs) {
      for (const need of exposures.get(id)?.sinks ?? [id]) {
        if (!needs.includes(need)) needs.push(need);
      }
    }
    out.needs = needs;
  }
  if (step.inputs) {
    out.inputs = {};
    for (const [name, decl] of Object.entries(step.inputs)) {
      const output = decl.from === undefined ? null : STEP_OUTPUT.exec(decl.from.trim());
      const exposure = output ? exposures.get(output[1]) : undefined;
      if (!output || !exposure) {
        out.inputs[name] = decl;
        continue;
      }
      const from = exposure.outputs.get(output[2]);
      if (from === undefined) {
        missing.push({ include: output[1], output: output[2], field: ["inputs", name, "from"] });
        out.inputs[name] = decl;
      } else out.inputs[name] = { ...decl, from };
    }
  }
  if (step.if !== undefined) {
    out.if = rewriteNames(step.if, (path) => {
      const exposure = path[0] === "steps" ? exposures.get(path[1]) : undefined;
      if (!exposure || path[2] !== "outputs" || path.length !== 4) return undefined;
      const from = exposure.outputs.get(path[3]);
      if (from === undefined) missing.push({ include: path[1], output: path[3], field: ["if"] });
      return from;
    });
  }
  return [out, missing];
}

/**
 * A reference (`steps.<include>.outputs.<name>`) resolved through `exposures`: the new text,
 * `null` when the include does not expose that output, the text itself when it names no
 * include.
 */
export function resolveOutputRef(
  ref: string,
  exposures: ReadonlyMap<string, Exposure>,
): string | null {
  const output = STEP_OUTPUT.exec(ref.trim());
  const exposure = output ? exposures.get(output[1]) : undefined;
  if (!output || !exposure) return ref;
  return exposure.outputs.get(output[2]) ?? null;
}

/**
 * The text of a compose-time value as a literal of the `if:` language (a fragment's params
 * and vars are constants once the include is composed), or undefined when it has none (a map).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { literalOf } from "./include_refs.ts";
 * assert(literalOf("a'b") === '"a\'b"' && literalOf([1, true]) === "[1, true]");
 * assert(literalOf({ a: 1 }) === undefined);
 * ```
 */
export function literalOf(value: unknown): string | undefined {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    // deno-lint-ignore no-control-regex
    return /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(value)
      ? undefined
      : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const items = value.map(literalOf);
    return items.some((i) => i === undefined) ? undefined : `[${items.join(", ")}]`;
  }
  return undefined;
}
