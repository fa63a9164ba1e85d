/**
 * The run-time check of a `json` value against its `schema:`, by a maintained JSON Schema
 * validator (`@cfworker/json-schema`, draft 2020-12). The validator is imported on first use,
 * so runs whose steps declare no schema never load it.
 * @module
 */
import type * as Cfworker from "@cfworker/json-schema";

let validatorModule: typeof Cfworker | undefined;
const validators = new Map<string, Cfworker.Validator>();

/**
 * The first violation of `schema` by `value`, as "where: what", or undefined when it fits.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { schemaViolation } from "./validate.ts";
 * const v = await schemaViolation({ a: "x" }, { properties: { a: { pattern: "^[0-9]+$" } } });
 * assert(v?.startsWith("$.a: "));
 * ```
 */
export async function schemaViolation(
  value: unknown,
  schema: Record<string, unknown>,
): Promise<string | undefined> {
  validatorModule ??= await import("@cfworker/json-schema");
  const schemaText = JSON.stringify(schema);
  let validator = validators.get(schemaText);
  if (!validator) {
    // The validator annotates the schema object it is given: give it a copy.
    validator = new validatorModule.Validator(JSON.parse(schemaText), "2020-12", true);
    validators.set(schemaText, validator);
  }
  const result = validator.validate(value ?? null);
  if (result.valid) return undefined;
  // The errors nest (a failing `properties` then the property's own error): the deepest
  // instance location names the value at fault; at one depth the first error is the outer
  // keyword (`oneOf` says "0 matches" before each branch's own complaint).
  let best = 0;
  result.errors.forEach((e, i) => {
    if (e.instanceLocation.length > result.errors[best].instanceLocation.length) best = i;
  });
  const error = result.errors[best];
  const parent = result.errors[best - 1];
  // A `false` subschema reports only "False boolean schema": the keyword that applied it
  // (`additionalProperties: false`, …) is the error before it.
  const what = error.keyword === "false" && parent
    ? `not allowed by \`${parent.keyword}\``
    : describe(error, schema);
  return `${where(error.instanceLocation)}: ${what}`;
}

function describe(error: Cfworker.OutputUnit, schema: Record<string, unknown>): string {
  const keywords = error.keywordLocation.replace(/^#/, "").split("/").slice(1).map(unescape);
  let text = error.error.replace(/\.$/, "");
  if (error.keyword === "pattern") {
    let node: unknown = schema;
    for (const k of keywords) node = (node as Record<string, unknown> | undefined)?.[k];
    if (typeof node === "string") text += ` \`${node}\``;
  }
  return text;
}

function unescape(raw: string): string {
  return decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
}

/** `#/a/0/b` → `$.a[0].b` (the notation of the rest of Lily's messages). */
function where(pointer: string): string {
  let out = "$";
  for (const raw of pointer.replace(/^#/, "").split("/").slice(1)) {
    const key = unescape(raw);
    out += /^\d+$/.test(key)
      ? `[${key}]`
      : /^[A-Za-z_][\w-]*$/.test(key)
      ? `.${key}`
      : `[${JSON.stringify(key)}]`;
  }
  return out;
}
