/**
 * An include's `with.params` mapped onto its fragment's `params:` declarations: each value
 * typed by the declaration (templates rendered to text are converted as `-p` values are),
 * unknown and missing params and type mismatches reported together, each at the include's
 * `with.params` entry. A secret is never a value: it is bound to a secret of the including
 * file (`token: params.api_token`) or read from its own `source:` at run time.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import type { Param } from "../schema/petal.ts";
import { checkChoices, checkYamlValue, coerceCliValue } from "./params.ts";
import { secretEnvName } from "../schema/secret_env.ts";

/** Where a secret param is read at run time (the lock's secret marker). */
export interface SecretMarker {
  source: string;
  required: boolean;
}

/** What mapping needs besides the declarations and the given values. */
export interface ParamMapContext {
  /** The include step's id (for messages). */
  id: string;
  /** The fragment's path as shown (for messages). */
  fragment: string;
  /** Position of an entry of `with.params` (`[]`: the block itself, or the step). */
  spanOf(path: string[], key?: boolean): Span;
  /** The including file's secret params, by name. */
  secrets: Readonly<Record<string, SecretMarker>>;
}

/** The fragment's param values (secrets excluded), its secrets' markers, and every problem. */
export interface MappedParams {
  values: Record<string, unknown>;
  secrets: Record<string, SecretMarker>;
  errors: LilyError[];
}

/**
 * Maps `given` (the rendered `with.params`) onto `declared` (the fragment's `params:`).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { mapIncludeParams } from "./include_params.ts";
 * const span = { file: "f.petal", line: 1, col: 1 };
 * const context = { id: "n", fragment: "n.petal", spanOf: () => span, secrets: {} };
 * const ok = mapIncludeParams({ count: { type: "int" } }, { count: "3" }, context);
 * assert(ok.values.count === 3 && ok.errors.length === 0);
 * const bad = mapIncludeParams({ count: { type: "int", required: true } }, { cuont: 1 }, context);
 * assert(bad.errors.map((e) => e.code).join() === "LILY-E0974,LILY-E0975");
 * ```
 */
export function mapIncludeParams(
  declared: Readonly<Record<string, Param>>,
  given: Readonly<Record<string, unknown>> | undefined,
  context: ParamMapContext,
): MappedParams {
  const values: Record<string, unknown> = {};
  const secrets: Record<string, SecretMarker> = {};
  const errors: LilyError[] = [];
  const names = Object.keys(declared);
  for (const name of Object.keys(given ?? {})) {
    if (Object.hasOwn(declared, name)) continue;
    const guess = didYouMean(name, names);
    errors.push(
      new LilyError(
        "LILY-E0974",
        `include \`${context.id}\` gives param \`${name}\`, which \`${context.fragment}\` does not declare`,
        {
          span: context.spanOf([name], true),
          hint: guess
            ? `did you mean \`${guess}\`?`
            : names.length
            ? `its params are ${listNames(names)}`
            : "the fragment declares no params",
        },
      ),
    );
  }
  for (const [name, param] of Object.entries(declared)) {
    const isGiven = given !== undefined && Object.hasOwn(given, name);
    const value = isGiven ? given[name] : undefined;
    if (param.type === "secret") {
      const marker = secretMarker(name, param, value, isGiven, context);
      if (marker instanceof LilyError) errors.push(marker);
      else secrets[name] = marker;
      continue;
    }
    if (!isGiven) {
      if (param.default !== undefined) values[name] = param.default;
      else if (param.required) {
        errors.push(
          new LilyError(
            "LILY-E0975",
            `include \`${context.id}\` does not give param \`${name}\`, which \`${context.fragment}\` requires`,
            {
              span: context.spanOf([], true),
              hint: `add it, ${typeWords(param)}: \`with: {params: {${name}: ${example(param)}}}\``,
            },
          ),
        );
      }
      continue;
    }
    const typed = typedValue(name, param, value, context);
    if (typed instanceof LilyError) errors.push(typed);
    else values[name] = typed;
  }
  return { values, secrets, errors };
}

function typedValue(
  name: string,
  param: Param,
  value: unknown,
  context: ParamMapContext,
): unknown | LilyError {
  const span = context.spanOf([name]);
  try {
    // A template renders to text: `"{{ params.n }}"` is converted as `-p n=3` would be.
    let typed: unknown;
    if (typeof value === "string" && param.type === "json") {
      typed = parsedOrText(value);
    } else if (typeof value === "string" && ["int", "float", "bool"].includes(param.type)) {
      typed = coerceCliValue(name, param.type, value, { span });
    } else {
      typed = value === null ? null : checkYamlValue(name, param, value, { span });
    }
    if (typed !== null) checkChoices(name, param, typed, { span });
    return typed;
  } catch (error) {
    if (!(error instanceof LilyError)) throw error;
    return new LilyError(
      "LILY-E0976",
      `include \`${context.id}\`: param \`${name}\` of \`${context.fragment}\` is \`${param.type}\`, but ${
        JSON.stringify(value)
      } is not${param.choices ? ` one of ${listNames(param.choices.map(String))}` : ""}`,
      { span, hint: `give ${typeWords(param)}, e.g. \`${name}: ${example(param)}\`` },
    );
  }
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function secretMarker(
  name: string,
  param: Param,
  value: unknown,
  isGiven: boolean,
  context: ParamMapContext,
): SecretMarker | LilyError {
  if (!isGiven) {
    return {
      source: param.source ?? `env:${secretEnvName(name)}`,
      required: param.required ?? true,
    };
  }
  const ref = typeof value === "string"
    ? /^\s*params\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(value)
    : null;
  const marker = ref && Object.hasOwn(context.secrets, ref[1])
    ? context.secrets[ref[1]]
    : undefined;
  if (marker) return marker;
  const secrets = Object.keys(context.secrets);
  return new LilyError(
    "LILY-E0976",
    `include \`${context.id}\`: param \`${name}\` of \`${context.fragment}\` is a secret, so it takes a secret param of this file, not ${
      JSON.stringify(value)
    }`,
    {
      span: context.spanOf([name]),
      hint: secrets.length
        ? `write \`${name}: params.${secrets[0]}\` (this file's secrets: ${listNames(secrets)})`
        : `declare a secret here (\`params: {${name}: {type: secret}}\`) and write \`${name}: params.${name}\`, or leave it out: the fragment's own \`source:\` is used`,
    },
  );
}

/** What a param takes, in words: "an int", "one of `a` and `b`". */
function typeWords(param: Param): string {
  if (param.choices?.length) return `one of ${listNames(param.choices.map(String))}`;
  return {
    int: "an int",
    float: "a float",
    bool: "a bool (true or false)",
    str: "a string",
    json: "a JSON value",
    path: "a path",
  }[param.type as string] ?? `a \`${param.type}\``;
}

/** A value for `param` as YAML: its default if it has one, else its first choice, else a stock one. */
function example(param: Param): string {
  const value = param.default ?? param.choices?.[0];
  if (value !== undefined && value !== null) return JSON.stringify(value);
  return { int: "3", float: "0.5", bool: "true", json: "[1, 2]", str: '"text"' }[
    param.type as string
  ] ?? `<${param.type}>`;
}

/**
 * A secret rendered by a template in an include's `with.params` (`token: "{{ params.key }}"`)
 * fails in render (LILY-E0410) before the include is mapped: its hint then says how an include
 * binds a secret — the bare name, `token: params.key` — instead of the step-input advice.
 *
 * @example
 * ```ts
 * import { LilyError } from "../errors.ts";
 * import { includeSecretHint } from "./include_params.ts";
 * const e = new LilyError("LILY-E0410", "template: secret param `key` cannot be rendered into text");
 * const [fixed] = includeSecretHint({ uses: "include" }, ["with", "params", "token"], [e]);
 * if (!fixed.hint?.includes("`token: params.key`")) throw new Error("bare name");
 * ```
 */
export function includeSecretHint(
  step: { uses: string },
  field: readonly (string | number)[],
  errors: LilyError[],
): LilyError[] {
  if (step.uses !== "include" || field[0] !== "with" || field[1] !== "params") return errors;
  const param = field[2];
  return errors.map((e) => {
    const secret = /secret param `([^`]+)`/.exec(e.message)?.[1];
    if (e.code !== "LILY-E0410" || !secret || typeof param !== "string") return e;
    return new LilyError(e.code, e.message, {
      span: e.span,
      label: e.label,
      notes: e.notes,
      hint:
        `an include binds a secret by its bare name, not a template: \`${param}: params.${secret}\` (the fragment's param must be \`type: secret\`)`,
    });
  });
}
