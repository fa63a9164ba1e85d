/**
 * `uses: include`: a Petal fragment inlined at compose (`with: {petal: PATH, params: {…}}`).
 * An include step never reaches a lock: compose/include.ts replaces it by the fragment's steps,
 * ids prefixed `<id>.<inner id>`. This file holds what the kind itself knows: the shape of its
 * `with:` block (checked with positions) and the fields an include step cannot take.
 * docs/include.md.
 * @module
 */
import { didYouMean, LilyError, listNames } from "../errors.ts";
import type { StepKind } from "./kind.ts";

/** The fields of a step that mean something on an include step (the rest are refused). */
export const INCLUDE_STEP_FIELDS = ["id", "uses", "description", "needs", "env", "with"] as const;

const WITH_KEYS = ["petal", "params"];

/**
 * The `include` kind. `check` refuses a `with:` block without a `petal:` path or with
 * `params:` that is not a map; `build` is never reached (compose inlines the step).
 *
 * @example
 * ```ts
 * import { includeKind } from "./include.ts";
 * const ok = includeKind.check!({ petal: "notify.petal" }, { id: "n", spanOf: () => undefined });
 * const bad = includeKind.check!({ params: [] }, { id: "n", spanOf: () => undefined });
 * if (ok.length !== 0 || bad.length !== 2) throw new Error("include with");
 * ```
 */
export const includeKind: StepKind = {
  kind: "include",
  withSchema: {
    type: "object",
    required: ["petal"],
    additionalProperties: false,
    properties: {
      petal: { type: "string", description: "the fragment, relative to the including file" },
      params: { type: "object", description: "the fragment's params (templates allowed)" },
    },
  },
  check(withBlock, { id, spanOf }) {
    const errors: LilyError[] = [];
    const petal = withBlock.petal;
    if (typeof petal !== "string" || petal.trim() === "") {
      errors.push(
        new LilyError("LILY-E0970", `include step \`${id}\` needs \`with.petal\`, a path`, {
          span: spanOf(petal === undefined ? [] : ["petal"]),
          hint: "name the fragment relative to this file: `with: {petal: fragments/notify.petal}`",
        }),
      );
    }
    const params = withBlock.params;
    if (
      params !== undefined &&
      (typeof params !== "object" || params === null || Array.isArray(params))
    ) {
      errors.push(
        new LilyError("LILY-E0970", `\`with.params\` of include step \`${id}\` must be a map`, {
          span: spanOf(["params"]),
          hint: "give the fragment's params by name: `params: {channel: ops}`",
        }),
      );
    }
    for (const key of Object.keys(withBlock)) {
      if (WITH_KEYS.includes(key)) continue;
      const guess = didYouMean(key, WITH_KEYS);
      errors.push(
        new LilyError("LILY-E0970", `include step \`${id}\`: unknown field \`with.${key}\``, {
          span: spanOf([key]),
          hint: guess ? `did you mean \`${guess}\`?` : `an include takes ${listNames(WITH_KEYS)}`,
        }),
      );
    }
    return errors;
  },
  build(step) {
    // Compose inlines every include; a lock naming one was edited by hand.
    throw new LilyError(
      "LILY-E0970",
      `step \`${step.id}\`: an include step cannot run; compose inlines its fragment`,
      { hint: "compose the workflow again: the lock then holds the fragment's steps" },
    );
  },
};
