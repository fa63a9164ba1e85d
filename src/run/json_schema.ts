/**
 * A small JSON Schema check for `json` inputs and outputs that declare `schema:` — the subset
 * workflows use: `type` (one or a list), `enum`, `const`, `required`, `properties`,
 * `additionalProperties: false`, `items`, `minimum`/`maximum`, `minLength`/`maxLength`,
 * `minItems`/`maxItems`. Unknown keywords are ignored (documented in docs/run.md).
 * @module
 */

type Schema = Record<string, unknown>;

/**
 * The first violation of `schema` by `value`, as "where: what", or undefined when it fits.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { schemaViolation } from "./json_schema.ts";
 * assert(schemaViolation({ a: 1 }, { type: "object", required: ["b"] }) === "$: missing required `b`");
 * ```
 */
export function schemaViolation(value: unknown, schema: Schema, path = "$"): string | undefined {
  const kind = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type as string[] : [schema.type as string];
    const ok = types.some((t) => t === kind || (t === "number" && kind === "integer"));
    if (!ok) return `${path}: expected ${types.join(" or ")}, got ${kind}`;
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
  ) {
    return `${path}: not one of ${JSON.stringify(schema.enum)}`;
  }
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    return `${path}: must be ${JSON.stringify(schema.const)}`;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) {
      return `${path}: below ${schema.minimum}`;
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) {
      return `${path}: above ${schema.maximum}`;
    }
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) {
      return `${path}: shorter than ${schema.minLength}`;
    }
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) {
      return `${path}: longer than ${schema.maxLength}`;
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      return `${path}: fewer than ${schema.minItems} items`;
    }
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
      return `${path}: more than ${schema.maxItems} items`;
    }
    if (schema.items && typeof schema.items === "object") {
      for (let i = 0; i < value.length; i++) {
        const v = schemaViolation(value[i], schema.items as Schema, `${path}[${i}]`);
        if (v) return v;
      }
    }
  }
  if (kind === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn(obj, key)) return `${path}: missing required \`${key}\``;
    }
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, sub] of Object.entries(props)) {
      if (Object.hasOwn(obj, key)) {
        const v = schemaViolation(obj[key], sub, `${path}.${key}`);
        if (v) return v;
      }
    }
    if (schema.additionalProperties === false) {
      const extra = Object.keys(obj).find((k) => !Object.hasOwn(props, k));
      if (extra) return `${path}: unexpected property \`${extra}\``;
    }
  }
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
