/**
 * What this version of Lily can run: the step kinds (`uses:`) and adapters (`adapter:`) that
 * have an executor. Petal names more (llm, human, tool…) so workflows can be written ahead;
 * compose refuses a step this version cannot run, with its position, instead of a lock that
 * fails at run time or an `adapter:` silently ignored. A new kind registers its kind object in
 * `EXECUTORS` (steps/mod.ts); a new adapter its factory in `ADAPTER_FACTORIES`
 * (adapters/mod.ts). Both tables are read here; docs/extending.md shows the steps.
 * @module
 */
import { LilyError, listNames, type Span } from "../errors.ts";
import { ADAPTERS as KNOWN_ADAPTERS, STEP_KINDS as KNOWN_KINDS } from "../schema/petal.ts";
import { EXECUTORS } from "./mod.ts";

/** A step kind Petal knows. */
export type StepKind = typeof KNOWN_KINDS[number];
/** An adapter Petal knows. */
export type AdapterName = typeof KNOWN_ADAPTERS[number];

/** Step kinds with an executor in this version: the keys of steps/mod.ts's `EXECUTORS`. */
export const IMPLEMENTED_KINDS: readonly StepKind[] = Object.keys(EXECUTORS) as StepKind[];

/**
 * Adapters this version runs: every adapter Petal names (`process`, `docker`, `python`, `http`),
 * each with a factory in adapters/mod.ts's `ADAPTER_FACTORIES` (a test holds the two lists equal).
 * The list is not read from adapters/ because `adapters/` imports `src/`, never the reverse; a
 * Petal adapter without a factory is refused here (LILY-E0211) by removing it from this list.
 */
export const IMPLEMENTED_ADAPTERS: readonly AdapterName[] = KNOWN_ADAPTERS;

/** The fields of a step this check reads (a Petal step or a lock step). */
export interface StepUse {
  uses: string;
  adapter?: string;
}

/**
 * The errors for what `step` asks that this version cannot run: its `uses:` kind, its
 * `adapter:`. `spanOf` gives the position of a field of the step (`uses` or `adapter`).
 *
 * @example
 * ```ts
 * import { unsupportedErrors } from "./support.ts";
 * const span = (field: string) => ({ file: "f.petal", line: field === "uses" ? 3 : 4, col: 11 });
 * const errors = unsupportedErrors({ uses: "llm", adapter: "teleport" }, "a", span);
 * if (errors.map((e) => e.code).join() !== "LILY-E0211") throw new Error("support");
 * if (unsupportedErrors({ uses: "shell", adapter: "docker" }, "b", span).length) throw new Error();
 * ```
 */
export function unsupportedErrors(
  step: StepUse,
  id: string,
  spanOf: (field: "uses" | "adapter") => Span | undefined,
): LilyError[] {
  const errors: LilyError[] = [];
  if (!(IMPLEMENTED_KINDS as readonly string[]).includes(step.uses)) {
    errors.push(
      new LilyError(
        "LILY-E0210",
        `step \`${id}\`: \`uses: ${step.uses}\` is not implemented yet in this version of Lily`,
        {
          span: spanOf("uses"),
          label: "not implemented yet",
          hint: `this version runs ${listNames(IMPLEMENTED_KINDS)} steps; ${
            step.uses === "tool"
              ? "run the program from a `process` step (`with: {argv: [ffmpeg, -i, in.mp4]}`)"
              : "write this step as a `shell` or `process` step for now"
          }`,
        },
      ),
    );
  }
  if (
    step.adapter !== undefined &&
    !(IMPLEMENTED_ADAPTERS as readonly string[]).includes(step.adapter)
  ) {
    errors.push(
      new LilyError(
        "LILY-E0211",
        `step \`${id}\`: \`adapter: ${step.adapter}\` is not implemented yet in this version of Lily`,
        {
          span: spanOf("adapter"),
          label: "not implemented yet",
          hint: `this version's adapters: ${
            listNames(IMPLEMENTED_ADAPTERS)
          }; remove \`adapter:\` (a step runs where its kind runs by default) or name one of them`,
        },
      ),
    );
  }
  return errors;
}

/**
 * The errors for every step of a workflow source that this version cannot run. `raw` is the
 * merged source data, before validation: any shape is tolerated (validation reports shapes),
 * so these errors join the same pass as the schema's. `spanOf` locates a field of a step.
 */
export function unsupportedInSource(
  raw: unknown,
  spanOf: (path: ["steps" | "on_error", number, "uses" | "adapter"]) => Span | undefined,
): LilyError[] {
  const errors: LilyError[] = [];
  if (typeof raw !== "object" || raw === null) return errors;
  for (const group of ["steps", "on_error"] as const) {
    const steps = (raw as Record<string, unknown>)[group];
    if (!Array.isArray(steps)) continue;
    steps.forEach((step, index) => {
      if (typeof step !== "object" || step === null) return;
      const { id, uses, adapter } = step as Record<string, unknown>;
      // Unknown names (`uses: shel`) are the schema's to report, with a did-you-mean.
      if (typeof uses !== "string" || !(KNOWN_KINDS as readonly string[]).includes(uses)) return;
      const known = typeof adapter === "string" &&
          (KNOWN_ADAPTERS as readonly string[]).includes(adapter)
        ? adapter
        : undefined;
      const name = typeof id === "string" ? id : `${group}[${index}]`;
      errors.push(
        ...unsupportedErrors(
          { uses, adapter: known },
          name,
          (field) => spanOf([group, index, field]),
        ),
      );
    });
  }
  return errors;
}
