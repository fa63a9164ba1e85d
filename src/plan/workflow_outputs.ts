/**
 * Workflow-level `outputs:`, the workflow's declared results: each names a step output
 * (`report: steps.render.outputs.html`, or `report: {from: steps.render.outputs.html, type:
 * file}`), checked at compose like an input binding — the step exists among `steps:`, it
 * declares the output, the types agree — and normalized for the lock as `{name: {from, type}}`.
 * The run records their values in its manifest.
 * @module
 */
import { didYouMean, LilyError, listNames } from "../errors.ts";
import { type IODecl, type Petal, VALUE_TYPES, type ValueType } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";

/** One workflow output as the lock keeps it. */
export interface WorkflowOutput {
  from: string;
  type: ValueType;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REF = /^steps\.([A-Za-z_][A-Za-z0-9_.-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Checks the workflow's `outputs:` (every problem, located) and returns them normalized, in
 * source order, one map per entry.
 */
export function planWorkflowOutputs(
  petal: Petal,
  raw: unknown,
  typesCompatible: (from: ValueType, to: ValueType) => boolean,
): { outputs: Record<string, WorkflowOutput>[]; errors: LilyError[] } {
  const errors: LilyError[] = [];
  const outputs: Record<string, WorkflowOutput>[] = [];
  const seen = new Set<string>();
  const steps = new Map(petal.steps.map((s) => [s.id, s.outputs ?? {}]));
  (petal.outputs ?? []).forEach((entry, index) => {
    const normalized: Record<string, WorkflowOutput> = {};
    for (const [name, value] of Object.entries(entry)) {
      const at = (...path: (string | number)[]) =>
        lazyLocate(raw, ["outputs", index, name, ...path]);
      const keyAt = lazyLocate(raw, ["outputs", index, name], { key: true });
      if (!NAME.test(name)) {
        errors.push(
          new LilyError("LILY-E0322", `workflow output name \`${name}\` is not a valid name`, {
            span: keyAt,
            hint: "use letters, digits and `_`, starting with a letter or `_`",
          }),
        );
        continue;
      }
      if (seen.has(name)) {
        errors.push(
          new LilyError("LILY-E0322", `workflow output \`${name}\` is declared twice`, {
            span: keyAt,
            hint: "give each workflow output its own name",
          }),
        );
        continue;
      }
      seen.add(name);
      const isMap = typeof value === "object" && value !== null && !Array.isArray(value);
      const map = isMap ? value as Record<string, unknown> : undefined;
      const from = map ? map.from : value;
      const fromAt = map ? at("from") : at();
      const unknownKeys = map ? Object.keys(map).filter((k) => k !== "from" && k !== "type") : [];
      if (unknownKeys.length) {
        errors.push(
          new LilyError(
            "LILY-E0322",
            `workflow output \`${name}\` has an unknown key \`${unknownKeys[0]}\``,
            {
              span: lazyLocate(raw, ["outputs", index, name, unknownKeys[0]], { key: true }),
              hint: "a workflow output has `from:` and, optionally, `type:`",
            },
          ),
        );
        continue;
      }
      const ref = typeof from === "string" ? REF.exec(from.trim()) : null;
      if (!ref) {
        errors.push(
          new LilyError(
            "LILY-E0322",
            `workflow output \`${name}\` must name a step output`,
            {
              span: map && from === undefined ? keyAt : fromAt,
              hint:
                `write \`${name}: steps.<id>.outputs.<name>\` or \`${name}: {from: steps.<id>.outputs.<name>, type: str}\``,
            },
          ),
        );
        continue;
      }
      const [, stepId, outputName] = ref;
      const declared = steps.get(stepId);
      if (!declared) {
        const guess = didYouMean(stepId, steps.keys());
        errors.push(
          new LilyError(
            "LILY-E0323",
            `workflow output \`${name}\` reads from step \`${stepId}\`, which is not defined`,
            {
              span: fromAt,
              hint: guess
                ? `did you mean \`steps.${guess}.outputs.${outputName}\`?`
                : `defined steps: ${listNames([...steps.keys()]) || "none"}`,
            },
          ),
        );
        continue;
      }
      const out: IODecl | undefined = declared[outputName];
      if (!out) {
        const names = Object.keys(declared);
        const guess = didYouMean(outputName, names);
        errors.push(
          new LilyError(
            "LILY-E0324",
            `workflow output \`${name}\`: step \`${stepId}\` declares no output \`${outputName}\``,
            {
              span: fromAt,
              hint: guess
                ? `did you mean \`steps.${stepId}.outputs.${guess}\`?`
                : names.length
                ? `its outputs are ${listNames(names)}`
                : `declare it on step \`${stepId}\`: \`outputs: {${outputName}: {type: str}}\``,
            },
          ),
        );
        continue;
      }
      const sourceType: ValueType = out.type ?? (out.path !== undefined ? "file" : "str");
      const wanted = map?.type;
      if (wanted !== undefined && !(VALUE_TYPES as readonly unknown[]).includes(wanted)) {
        errors.push(
          new LilyError("LILY-E0325", `workflow output \`${name}\` has an unknown type`, {
            span: at("type"),
            hint: `types are ${listNames(VALUE_TYPES as readonly string[], 20)}`,
          }),
        );
        continue;
      }
      const type = (wanted as ValueType | undefined) ?? sourceType;
      if (!typesCompatible(sourceType, type)) {
        errors.push(
          new LilyError(
            "LILY-E0325",
            `workflow output \`${name}\` is \`${type}\`, but \`${from}\` is \`${sourceType}\``,
            {
              span: at("type"),
              hint: `make the types agree (or omit \`type:\` to take \`${sourceType}\`)`,
            },
          ),
        );
        continue;
      }
      normalized[name] = { from: `steps.${stepId}.outputs.${outputName}`, type };
    }
    if (Object.keys(normalized).length) outputs.push(normalized);
  });
  return { outputs, errors };
}
