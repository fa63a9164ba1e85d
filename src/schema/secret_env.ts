/**
 * The environment variable a secret param is read from: `LILY_SECRET_` and its name in upper
 * case, with every character a shell variable name cannot hold (the `.` of an included
 * fragment's `s3.token`, a `-`) written as `_`: `LILY_SECRET_S3_TOKEN`.
 * @module
 */

/**
 * The variable `export` can set for secret `name`.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { secretEnvName } from "./secret_env.ts";
 * assert(secretEnvName("s3.token") === "LILY_SECRET_S3_TOKEN");
 * ```
 */
export function secretEnvName(name: string): string {
  return `LILY_SECRET_${name.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`;
}
