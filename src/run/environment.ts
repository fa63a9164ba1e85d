/**
 * A step's environment, built from nothing: the lock's declared env, `LILY_*` variables, the
 * step's inputs, and only the host variables the step lists in `resources.env` (plus PATH and
 * HOME, which programs need to start). Nothing else is inherited.
 * @module
 */
import type { LockStep } from "../schema/lock.ts";

/** Host variables every step gets (until the sandbox pins binaries and PATH). */
export const BASE_HOST_VARS = ["PATH", "HOME", "LANG", "TZ"];

/** Options for {@linkcode stepEnvironment}. */
export interface EnvironmentOptions {
  runId: string;
  projectRoot: string;
  outputFile: string;
  tmpDir: string;
  attempt: number;
  inputs: Record<string, string>;
  getHostEnv: (name: string) => string | undefined;
}

/** The complete environment of one attempt. */
export function stepEnvironment(
  step: LockStep,
  options: EnvironmentOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_HOST_VARS, ...step.resources.env]) {
    const value = options.getHostEnv(name);
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, step.env);
  env.LILY_RUN_ID = options.runId;
  env.LILY_STEP_ID = step.id;
  env.LILY_ATTEMPT = String(options.attempt);
  env.LILY_PROJECT_ROOT = options.projectRoot;
  env.LILY_OUTPUT = options.outputFile;
  env.TMPDIR = options.tmpDir;
  for (const [name, value] of Object.entries(options.inputs)) {
    env[`LILY_INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}
