/**
 * Param values from the workflow's side: defaults and the profile's values, checked against
 * their declarations, and the param errors reported beside a failed schema check.
 * @module
 */
import { LilyError, LilyErrors } from "../errors.ts";
import { type Petal, Petal as PetalSchema } from "../schema/petal.ts";
import { lazyLocate, locate } from "../source/locate.ts";
import { checkChoices, checkYamlValue, coerceCliValue, unknownParam } from "./params.ts";
import type { Resolved } from "./resolve.ts";

function spanOf(raw: unknown, path: (string | number)[], key = false) {
  return lazyLocate(raw, path, { key });
}

/**
 * The param errors of a workflow whose schema check failed elsewhere: when its `params:`
 * section is itself valid, unknown or ill-typed `-p` values and missing required params are
 * reported beside the schema errors (plan errors wait for a valid document).
 */
export function paramErrorsBeside(
  resolved: Resolved,
  overrides: Record<string, string>,
): LilyError[] {
  const raw = resolved.raw as Record<string, unknown> | undefined;
  const parsed = PetalSchema.shape.params.safeParse(raw?.params);
  if (!parsed.success) return [];
  const params = parsed.data ?? {};
  const errors: LilyError[] = [];
  const collect = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof LilyError) errors.push(error);
      else if (error instanceof LilyErrors) errors.push(...error.errors);
      else throw error;
    }
  };
  let values: Record<string, unknown> = {};
  collect(() => values = baseParamValues({ params } as Petal, resolved));
  for (const [name, text] of Object.entries(overrides)) {
    const flag = `-p ${name}=${text}`;
    collect(() => {
      const param = params[name];
      if (!param) throw unknownParam(name, Object.keys(params), { flag });
      values[name] = coerceCliValue(name, param.type, text, { flag });
      checkChoices(name, param, values[name], { flag });
    });
  }
  for (const [name, p] of Object.entries(params)) {
    if (p.type === "secret" || !p.required || values[name] !== undefined) continue;
    errors.push(
      new LilyError("LILY-E0303", `param \`${name}\` is required but has no value`, {
        span: spanOf(resolved.raw, ["params", name], true),
        hint: `pass \`-p ${name}=${
          p.choices?.length ? String(p.choices[0]) : `<${p.type}>`
        }\`, set it in a profile, or give it a \`default:\``,
      }),
    );
  }
  return errors;
}

/**
 * The values of the params before the command line: declared defaults, then the profile's,
 * each checked against its declaration (every problem reported).
 */
export function baseParamValues(petal: Petal, resolved: Resolved): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const params = petal.params ?? {};
  const errors: LilyError[] = [];
  const collect = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof LilyError) errors.push(error);
      else throw error;
    }
  };
  for (const [name, param] of Object.entries(params)) {
    if (param.default === undefined || param.type === "secret" && param.default === undefined) {
      continue;
    }
    collect(() => {
      const span = spanOf(resolved.raw, ["params", name, "default"]);
      values[name] = param.default === null
        ? null
        : checkYamlValue(name, param, param.default, { span });
      if (values[name] !== null) checkChoices(name, param, values[name], { span });
    });
  }
  for (const [name, { value, origin }] of Object.entries(resolved.profileParams)) {
    collect(() => {
      const span = origin ? locate(origin) : undefined;
      const param = params[name];
      if (!param) {
        throw unknownParam(name, Object.keys(params), {
          span: origin ? locate(origin, { key: true }) : undefined,
        });
      }
      values[name] = checkYamlValue(name, param, value, { span });
      checkChoices(name, param, values[name], { span });
    });
  }
  if (errors.length) throw new LilyErrors(errors);
  return values;
}
