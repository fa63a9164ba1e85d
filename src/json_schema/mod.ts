/**
 * JSON Schema for `json` inputs and outputs: checked at compose ({@linkcode schemaProblems}),
 * values validated at run time ({@linkcode schemaViolation}).
 * @module
 */
export { SCHEMA_KEYWORDS, type SchemaProblem, schemaProblems } from "./check.ts";
export { schemaViolation } from "./validate.ts";
