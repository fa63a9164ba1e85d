/**
 * The compose-time check of a `schema:` on a `json` input or output: every keyword is one
 * Lily supports (JSON Schema 2020-12, as the run-time validator implements it) with a value
 * of the right shape, every `pattern` compiles, every `$ref` points inside the schema. Pure:
 * it loads no validator, so composing a workflow costs nothing extra.
 * @module
 */
import { didYouMean } from "../errors.ts";

/** A problem in a schema: where (keys from the schema's root), what, and a hint. */
export interface SchemaProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

type Shape =
  | "schema"
  | "schemas"
  | "schemaMap"
  | "patternMap"
  | "type"
  | "enum"
  | "any"
  | "anyArray"
  | "names"
  | "count"
  | "number"
  | "positive"
  | "bool"
  | "regex"
  | "string"
  | "ref"
  | "dialect"
  | "requiredMap";

/** The keywords a schema may use, each with the shape of its value. */
export const SCHEMA_KEYWORDS: Readonly<Record<string, Shape>> = {
  type: "type",
  enum: "enum",
  const: "any",
  required: "names",
  properties: "schemaMap",
  patternProperties: "patternMap",
  additionalProperties: "schema",
  unevaluatedProperties: "schema",
  propertyNames: "schema",
  minProperties: "count",
  maxProperties: "count",
  dependentRequired: "requiredMap",
  dependentSchemas: "schemaMap",
  items: "schema",
  prefixItems: "schemas",
  unevaluatedItems: "schema",
  contains: "schema",
  minContains: "count",
  maxContains: "count",
  minItems: "count",
  maxItems: "count",
  uniqueItems: "bool",
  minimum: "number",
  maximum: "number",
  exclusiveMinimum: "number",
  exclusiveMaximum: "number",
  multipleOf: "positive",
  minLength: "count",
  maxLength: "count",
  pattern: "regex",
  format: "string",
  allOf: "schemas",
  anyOf: "schemas",
  oneOf: "schemas",
  not: "schema",
  if: "schema",
  then: "schema",
  else: "schema",
  $defs: "schemaMap",
  $ref: "ref",
  $schema: "dialect",
  $comment: "string",
  title: "string",
  description: "string",
  default: "any",
  examples: "anyArray",
  deprecated: "bool",
  readOnly: "bool",
  writeOnly: "bool",
};

const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];
const DIALECT = "https://json-schema.org/draft/2020-12/schema";

/**
 * Every problem of `schema`, in document order; empty when it is a schema Lily can check.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { schemaProblems } from "./check.ts";
 * const [p] = schemaProblems({ type: "string", pattern: "(" });
 * assert(p.path.join(".") === "pattern");
 * ```
 */
export function schemaProblems(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  checkSchema(schema, [], schema, problems);
  return problems;
}

function checkSchema(
  schema: unknown,
  path: (string | number)[],
  root: unknown,
  problems: SchemaProblem[],
): void {
  if (typeof schema === "boolean") return;
  if (!isObject(schema)) {
    problems.push({ path, message: "a schema is an object (or `true`/`false`)" });
    return;
  }
  for (const [keyword, value] of Object.entries(schema)) {
    const shape = SCHEMA_KEYWORDS[keyword];
    const at = [...path, keyword];
    if (shape === undefined) {
      const guess = didYouMean(keyword, Object.keys(SCHEMA_KEYWORDS));
      problems.push({
        path: at,
        message: `\`${keyword}\` is not a JSON Schema keyword Lily checks`,
        hint: guess
          ? `did you mean \`${guess}\`?`
          : "the supported keywords are listed in docs/petal.md (JSON schemas); " +
            "put notes in `description` or `$comment`",
      });
      continue;
    }
    const problem = checkShape(shape, value, at, root, problems);
    if (problem) problems.push({ path: at, ...problem });
  }
}

function checkShape(
  shape: Shape,
  value: unknown,
  at: (string | number)[],
  root: unknown,
  problems: SchemaProblem[],
): { message: string; hint?: string } | undefined {
  const keyword = at[at.length - 1];
  switch (shape) {
    case "schema":
      if (keyword === "items" && Array.isArray(value)) {
        return {
          message: "`items` is one schema (JSON Schema 2020-12)",
          hint: "for a tuple, use `prefixItems: [...]`",
        };
      }
      checkSchema(value, at, root, problems);
      return undefined;
    case "schemas":
      if (!Array.isArray(value) || value.length === 0) {
        return { message: `\`${keyword}\` is a non-empty list of schemas` };
      }
      value.forEach((s, i) => checkSchema(s, [...at, i], root, problems));
      return undefined;
    case "schemaMap":
    case "patternMap":
      if (!isObject(value)) return { message: `\`${keyword}\` maps names to schemas` };
      for (const [name, s] of Object.entries(value)) {
        if (shape === "patternMap") {
          const bad = regexProblem(name);
          if (bad) problems.push({ path: [...at, name], message: bad });
        }
        checkSchema(s, [...at, name], root, problems);
      }
      return undefined;
    case "type": {
      const types = Array.isArray(value) ? value : [value];
      const bad = types.find((t) => typeof t !== "string" || !TYPES.includes(t));
      if (types.length === 0 || bad !== undefined) {
        const guess = typeof bad === "string" ? didYouMean(bad, TYPES) : undefined;
        return {
          message: `\`type\` ${
            bad === undefined ? "is empty" : `\`${JSON.stringify(bad)}\` is not a JSON type`
          }`,
          hint: guess ? `did you mean \`${guess}\`?` : `JSON types: ${TYPES.join(", ")}`,
        };
      }
      return undefined;
    }
    case "enum":
      if (!Array.isArray(value) || value.length === 0) {
        return { message: "`enum` is a non-empty list of values" };
      }
      return undefined;
    case "any":
      return undefined;
    case "anyArray":
      return Array.isArray(value) ? undefined : { message: `\`${keyword}\` is a list` };
    case "names":
      if (!Array.isArray(value) || value.some((n) => typeof n !== "string")) {
        return { message: `\`${keyword}\` is a list of property names` };
      }
      return undefined;
    case "requiredMap":
      if (
        !isObject(value) ||
        Object.values(value).some((l) => !Array.isArray(l) || l.some((n) => typeof n !== "string"))
      ) {
        return { message: `\`${keyword}\` maps a property name to a list of property names` };
      }
      return undefined;
    case "count":
      return Number.isInteger(value) && (value as number) >= 0
        ? undefined
        : { message: `\`${keyword}\` is a whole number ≥ 0` };
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : {
        message: `\`${keyword}\` is a number`,
        hint: typeof value === "boolean"
          ? "a boolean `exclusiveMinimum`/`exclusiveMaximum` is draft 4; give the bound itself"
          : undefined,
      };
    case "positive":
      return typeof value === "number" && value > 0 && Number.isFinite(value)
        ? undefined
        : { message: `\`${keyword}\` is a number > 0` };
    case "bool":
      return typeof value === "boolean"
        ? undefined
        : { message: `\`${keyword}\` is true or false` };
    case "string":
      return typeof value === "string" ? undefined : { message: `\`${keyword}\` is a string` };
    case "regex": {
      if (typeof value !== "string") return { message: "`pattern` is a regular expression" };
      const bad = regexProblem(value);
      return bad ? { message: bad } : undefined;
    }
    case "dialect":
      return value === DIALECT ? undefined : {
        message: `\`$schema\` is \`${String(value)}\``,
        hint: `Lily checks JSON Schema 2020-12: omit \`$schema\` or give \`${DIALECT}\``,
      };
    case "ref": {
      if (typeof value !== "string" || !value.startsWith("#")) {
        return {
          message: `\`$ref\` \`${String(value)}\` does not point inside this schema`,
          hint: "schemas are checked offline: use `#/$defs/NAME` and define it under `$defs`",
        };
      }
      return resolvePointer(root, value.slice(1)) ? undefined : {
        message: `\`$ref\` \`${value}\` points to nothing in this schema`,
        hint: 'define it under `$defs` (e.g. `$ref: "#/$defs/item"`)',
      };
    }
  }
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, "u");
    return undefined;
  } catch (error) {
    return `\`${source}\` is not a valid regular expression (${
      (error as Error).message.replace(/^Invalid regular expression: /, "")
    })`;
  }
}

function resolvePointer(root: unknown, pointer: string): boolean {
  if (pointer === "") return true;
  if (!pointer.startsWith("/")) return false;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return false;
  }
  return typeof node === "boolean" || isObject(node);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
