/**
 * A secret too short to mask (src/sandbox/mask.ts `MIN_SECRET_LENGTH`) is written unmasked;
 * the run says so on stderr, naming the secret (never its value), before any step starts.
 * @module
 */
import { MIN_SECRET_LENGTH, tooShortToMask } from "../sandbox/mask.ts";

/** The warning lines for the secrets of `secrets` (name → value) too short to mask. */
export function shortSecretWarnings(secrets: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [name, value] of secrets) {
    if (!tooShortToMask(value)) continue;
    lines.push(
      `warning: secret \`${name}\` is shorter than ${MIN_SECRET_LENGTH} characters, too short to mask: ` +
        `Lily writes it unmasked in logs, events and the manifest (masking every such letter would ` +
        `garble them and reveal it anyway); use a real secret of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return lines;
}

/** Writes {@linkcode shortSecretWarnings} to stderr. */
export function warnShortSecrets(secrets: ReadonlyMap<string, string>): void {
  const lines = shortSecretWarnings(secrets);
  if (lines.length) Deno.stderr.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
}
