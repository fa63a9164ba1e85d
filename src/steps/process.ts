/**
 * `uses: process`: one program with its arguments (`with.argv`), no shell in between. A
 * built-in name (`echo`) runs the built-in; which program it may start is checked by plan
 * (plan/build.ts, `argv[0]` against the step's policy).
 * @module
 */
import { LilyError } from "../errors.ts";
import type { StepKind } from "./kind.ts";

/**
 * The `process` kind.
 *
 * @example
 * ```ts
 * import { processKind } from "./process.ts";
 * const withBlock: Record<string, unknown> = { argv: ["sleep", 1] };
 * const errors = processKind.check!(withBlock, { id: "a", spanOf: () => undefined });
 * if (errors.length || JSON.stringify(withBlock.argv) !== '["sleep","1"]') throw new Error("argv");
 * ```
 */
export const processKind: StepKind = {
  kind: "process",
  withSchema: {
    type: "object",
    required: ["argv"],
    properties: { argv: { type: "array", minItems: 1, items: { type: ["string", "number"] } } },
  },
  check(withBlock, { id, spanOf }) {
    const argv = withBlock.argv;
    if (
      !Array.isArray(argv) || argv.length === 0 ||
      argv.some((a) => typeof a !== "string" && typeof a !== "number")
    ) {
      return [
        new LilyError(
          "LILY-E0613",
          `process step \`${id}\` needs \`with.argv\`, a non-empty list of strings`,
          {
            span: spanOf(argv === undefined ? [] : ["argv"]),
            hint: 'give it `with: {argv: ["ffmpeg", "-i", "in.mp4", "out.webm"]}`',
          },
        ),
      ];
    }
    withBlock.argv = argv.map(String);
    return [];
  },
  build(step, context) {
    return { ...context, argv: (step.with.argv as unknown[]).map(String) };
  },
};
