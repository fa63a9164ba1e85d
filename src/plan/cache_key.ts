/**
 * The compose-time half of a step's cache key: a digest per component of the resolved step,
 * and their combination. The run-time half (input values, input file contents, pins) is
 * added by the cache; `diff` and `explain` use these digests to predict re-runs.
 * @module
 */
import { imagePinNames } from "../steps/docker_pins.ts";
import { CACHE_KEY_FORMULA, type LockCacheKey, type LockStep } from "../schema/lock.ts";
import { digestOf } from "../util/canonical_json.ts";

/** Human names of the components, for explanations. */
export const COMPONENT_NAMES: Record<string, string> = {
  command: "the command (`uses`, `adapter`, `with`)",
  env: "the step's environment",
  inputs: "the declared inputs (names, types, paths)",
  outputs: "the declared outputs",
  timeout: "the timeout",
  resources: "the resources (network, binaries, env names)",
  salt: "the cache salt",
};

/**
 * Computes the `cache` block of a resolved step. Data flows only through declared inputs,
 * so `needs`, `if`, `retries` and the step's id do not enter the key.
 */
export function cacheKeyOf(
  step: Omit<LockStep, "cache" | "level">,
  policy: LockCacheKey["policy"],
  salt: string,
): LockCacheKey {
  const inputDecls: Record<string, unknown> = {};
  for (const [name, io] of Object.entries(step.inputs)) {
    inputDecls[name] = { type: io.type, path: io.path ?? null, schema: io.schema ?? null };
  }
  const components: Record<string, string> = {
    command: digestOf({ uses: step.uses, adapter: step.adapter, with: step.with }),
    env: digestOf(step.env),
    inputs: digestOf(inputDecls),
    outputs: digestOf(step.outputs),
    timeout: digestOf(step.timeout_ms),
    resources: digestOf({
      network: step.resources.network,
      binaries: step.resources.binaries,
      env: step.resources.env,
    }),
    salt: digestOf(salt),
  };
  // The key uses full digests; the lock keeps 16 hex digits of each, enough to tell which
  // component changed (diff, explain --why) at a fraction of the lock's size.
  const short: Record<string, string> = {};
  for (const [name, digest] of Object.entries(components)) short[name] = digest.slice(7, 23);
  return {
    formula: CACHE_KEY_FORMULA,
    policy,
    static: digestOf({ formula: CACHE_KEY_FORMULA, components }),
    components: short,
    inputs: Object.keys(step.inputs).sort(),
    pins: [...step.resources.binaries, ...imagePinNames(step)].sort(),
  };
}
