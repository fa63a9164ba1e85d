/**
 * A param's value is known at compose: when it flows into a `json` input that declares a
 * `schema:`, it is checked here, so a bad `-p` fails before anything runs. Loads the validator
 * only when such an input exists.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { Petal } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";

/** Every input whose param value does not match the input's schema, located at its `from:`. */
export async function paramSchemaErrors(
  petal: Petal,
  raw: unknown,
  options: { values: Record<string, unknown>; overrides: Record<string, string> },
): Promise<LilyError[]> {
  const errors: LilyError[] = [];
  for (const list of ["steps", "on_error"] as const) {
    for (const [index, step] of (petal[list] ?? []).entries()) {
      for (const [name, decl] of Object.entries(step.inputs ?? {})) {
        const param = /^params\.(.+)$/.exec(decl.from ?? "")?.[1];
        if (!decl.schema || param === undefined) continue;
        if (petal.params?.[param]?.type === "secret") continue;
        const value = options.values[param];
        if (value === undefined) continue;
        const { schemaViolation } = await import("../json_schema/validate.ts");
        const violation = await schemaViolation(value, decl.schema);
        if (!violation) continue;
        const given = param in options.overrides ? " (given on the command line)" : "";
        errors.push(
          new LilyError(
            "LILY-E0532",
            `param \`${param}\`${given} does not match the schema of input \`${name}\` of step \`${step.id}\`: ${violation}`,
            {
              span: lazyLocate(raw, [list, index, "inputs", name, "from"], {}),
              hint: param in options.overrides
                ? `pass \`${param}\` a value the schema accepts`
                : `give \`params.${param}\` a value the schema accepts, or change the schema`,
            },
          ),
        );
      }
    }
  }
  return errors;
}
