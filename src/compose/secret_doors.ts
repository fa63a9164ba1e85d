/**
 * Side doors to a secret, closed at compose. A secret param is read at run time from its
 * source variable (`source: env:VAR`, and always `LILY_SECRET_<NAME>`); such a variable must
 * never reach a step or the lock by another road:
 * - `resources.env: [VAR]` would hand the step the raw value, unmasked and untracked (E0730);
 * - `if: env.VAR …` would leak it one bit per run, through which steps ran (E0731);
 * - `template_env: [VAR]` (+ the `env` filter) would write it into the lock (E0732).
 * @module
 */
import { LilyError } from "../errors.ts";
import type { Petal } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import type { Project } from "./project.ts";
import { secretEnvName } from "../schema/secret_env.ts";

/** The host variables a workflow's secrets are read from, each with its param's name. */
export function secretSources(petal: Petal): Map<string, string> {
  const sources = new Map<string, string>();
  for (const [name, param] of Object.entries(petal.params ?? {})) {
    if (param.type !== "secret") continue;
    sources.set(secretEnvName(name), name);
    sources.set(`LILY_SECRET_${name.toUpperCase()}`, name);
    const env = /^env:(.+)$/.exec(param.source ?? "")?.[1];
    if (env) sources.set(env, name);
  }
  return sources;
}

/** Every side door the workflow opens (empty when none). */
export function secretSideDoors(petal: Petal, raw: unknown, project: Project): LilyError[] {
  const sources = secretSources(petal);
  if (sources.size === 0) return [];
  const errors: LilyError[] = [];
  for (const list of ["steps", "on_error"] as const) {
    (petal[list] ?? []).forEach((step, index) => {
      (step.resources?.env ?? []).forEach((name, at) => {
        const secret = sources.get(name);
        if (secret === undefined) return;
        errors.push(
          new LilyError(
            "LILY-E0730",
            `step \`${step.id}\` passes \`${name}\` as a plain variable, but it is the source of secret \`${secret}\``,
            {
              span: lazyLocate(raw, [list, index, "resources", "env", at]),
              hint:
                `declare an input \`{type: secret, from: params.${secret}}\`: the step gets it as $LILY_INPUT_…, masked in every log`,
            },
          ),
        );
      });
      if (step.if === undefined) return;
      for (
        const m of step.if.matchAll(/\benv\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*["']([^"']+)["']\s*\])/g)
      ) {
        const name = m[1] ?? m[2];
        const secret = sources.get(name);
        if (secret === undefined) continue;
        errors.push(
          new LilyError(
            "LILY-E0731",
            `step \`${step.id}\`'s condition reads \`env.${name}\`, the source of secret \`${secret}\``,
            {
              span: lazyLocate(raw, [list, index, "if"], { content: true }),
              hint:
                "a condition on a secret tells every reader of the run one bit of it; decide on a param or an output instead",
            },
          ),
        );
      }
    });
  }
  const rcRaw = project.rcSource?.data;
  (project.rc.template_env ?? []).forEach((name, at) => {
    const secret = sources.get(name);
    if (secret === undefined) return;
    errors.push(
      new LilyError(
        "LILY-E0732",
        `\`template_env\` lets templates read \`${name}\`, the source of secret \`${secret}\`: its value would be written into the lock`,
        {
          span: rcRaw !== undefined
            ? lazyLocate(rcRaw, ["template_env", at])
            : { file: ".lilyrc", line: 1, col: 1 },
          hint:
            `remove \`${name}\` from \`template_env\`; a step that needs the secret declares an input \`{type: secret, from: params.${secret}}\``,
        },
      ),
    );
  });
  return errors;
}
