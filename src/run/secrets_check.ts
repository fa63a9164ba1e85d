/**
 * Every secret the selected steps need is checked before any step starts (and before the run
 * directory exists): a missing one is a user error naming the secret, the steps that need it
 * and how to set it, not a step failure after other steps ran.
 * @module
 */
import { LilyError, LilyErrors } from "../errors.ts";
import type { LockFile, LockParam, LockStep } from "../schema/lock.ts";

type SecretMarker = Extract<LockParam, { secret: true }>;

/** How to set a secret: `export LILY_SECRET_<NAME>=…`, or its declared source. */
export function howToSet(name: string, marker: SecretMarker): string {
  const direct = `LILY_SECRET_${name.toUpperCase()}`;
  const ways = [`\`export ${direct}=…\``];
  if (marker.source.startsWith("env:") && marker.source !== `env:${direct}`) {
    ways.push(`\`export ${marker.source.slice(4)}=…\` (its \`source:\`)`);
  } else if (marker.source.startsWith("keyring:")) {
    const [service, account] = marker.source.slice(8).split("/");
    ways.push(
      Deno.build.os === "darwin"
        ? `\`security add-generic-password -s ${service} -a ${account} -w\` (its \`source:\`)`
        : `\`secret-tool store --label=${name} service ${service} account ${account}\` (its \`source:\`)`,
    );
  }
  return `set it before the run: ${ways.join(", or ")}`;
}

/**
 * Throws LILY-E0051 (one error per missing secret) when a required secret input of a
 * selected step has no value. Optional inputs (`required: false`) stay optional.
 */
export async function assertSecretsSet(
  lock: LockFile,
  selected: Set<string>,
  valueOf: (name: string, marker: SecretMarker) => Promise<string | undefined>,
): Promise<void> {
  const needers = new Map<string, string[]>();
  for (const step of lock.plan.steps) {
    if (!selected.has(step.id)) continue;
    // A foreach over a run-time list keeps its inner step as a rule (steps/foreach.ts): each
    // sub-step the engine makes from it needs the inner step's secrets.
    const rule = (step.with as { rule?: { step?: { inputs?: LockStep["inputs"] } } }).rule;
    for (const io of [...Object.values(step.inputs), ...Object.values(rule?.step?.inputs ?? {})]) {
      const param = /^params\.(.+)$/.exec(io.from ?? "")?.[1];
      if (param === undefined || !io.required) continue;
      const p = lock.params[param];
      if (!p || !("secret" in p)) continue;
      const list = needers.get(param) ?? [];
      if (!list.includes(step.id)) list.push(step.id);
      needers.set(param, list);
    }
  }
  const errors: LilyError[] = [];
  for (const [name, steps] of needers) {
    const marker = lock.params[name] as SecretMarker;
    if (await valueOf(name, marker) !== undefined) continue;
    const which = steps.map((s) => `\`${s}\``).join(", ");
    errors.push(
      new LilyError(
        "LILY-E0051",
        `secret \`${name}\` is not set, and step${steps.length > 1 ? "s" : ""} ${which} need${
          steps.length > 1 ? "" : "s"
        } it (nothing ran)`,
        { hint: howToSet(name, marker) },
      ),
    );
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new LilyErrors(errors);
}
