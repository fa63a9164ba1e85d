/**
 * Compose-time check of the `schema:` of a step's inputs and outputs: a schema belongs to a
 * `json` value and must be one the run-time validator can apply (src/json_schema/check.ts).
 * @module
 */
import { LilyError, type Span } from "../errors.ts";
import { schemaProblems } from "../json_schema/check.ts";
import type { LockIO } from "../schema/lock.ts";

/** Every schema problem of a step's resolved inputs and outputs, each located in its source. */
export function ioSchemaErrors(
  stepId: string,
  io: { inputs: Record<string, LockIO>; outputs: Record<string, LockIO> },
  options: {
    path: (string | number)[];
    where: (path: (string | number)[], key?: boolean) => Span | undefined;
  },
): LilyError[] {
  const errors: LilyError[] = [];
  for (const kind of ["inputs", "outputs"] as const) {
    const what = kind === "inputs" ? "input" : "output";
    for (const [name, decl] of Object.entries(io[kind])) {
      if (decl.schema === undefined) continue;
      const at = [...options.path, kind, name, "schema"];
      if (decl.type !== "json") {
        errors.push(
          new LilyError(
            "LILY-E0531",
            `${what} \`${name}\` of step \`${stepId}\` has a \`schema:\` but is of type \`${decl.type}\``,
            {
              span: options.where(at, true),
              hint: "a schema checks a `json` value: give the " + what +
                " `type: json`, or remove `schema:`",
            },
          ),
        );
        continue;
      }
      for (const problem of schemaProblems(decl.schema)) {
        const keys = problem.path.length ? problem.path.join(".") : "(root)";
        errors.push(
          new LilyError(
            "LILY-E0530",
            `the schema of ${what} \`${name}\` of step \`${stepId}\` is invalid at \`${keys}\`: ${problem.message}`,
            {
              span: options.where([...at, ...problem.path], true),
              hint: problem.hint ?? "see docs/petal.md (JSON schemas) for what a schema may say",
            },
          ),
        );
      }
    }
  }
  return errors;
}
