/**
 * Helpers for the tests of single built-ins: run a script through the real interpreter (in a
 * fresh temporary directory that is both roots) and look at its output or its last status.
 * @module
 */
import { assertEquals } from "../../_assert.ts";
import { type Outcome, shIn } from "../_run.ts";

export { type Outcome, sh, shIn, withTempDir } from "../_run.ts";

/** Runs a script under `set +e` and returns it with `$?` of its last command appended. */
export async function status(
  script: string,
  options: Parameters<typeof shIn>[1] = {},
): Promise<Outcome> {
  return await shIn(`set +e; ${script}; echo "status=$?"`, options);
}

/** The stdout of a script that must succeed without a denial. */
export async function out(
  script: string,
  options: Parameters<typeof shIn>[1] = {},
): Promise<string> {
  const result = await shIn(script, options);
  assertEquals(result.exitCode, 0, `${script}\nstderr: ${result.stderr}`);
  assertEquals(result.denied, undefined);
  return result.stdout;
}
