/**
 * Secret params are read at run time only: from `$LILY_SECRET_<NAME>`, else from the source
 * their declaration names — `env:VAR`, or `keyring:SERVICE/ACCOUNT` (Linux: `secret-tool`,
 * macOS: `security`). Values never enter a lock, a cache key or an explanation.
 * @module
 */
import type { LockFile, LockParam } from "../schema/lock.ts";
import { secretEnvName } from "../schema/secret_env.ts";

type SecretMarker = Extract<LockParam, { secret: true }>;

/** Options for {@linkcode resolveSecret}. */
export interface SecretOptions {
  getEnv?: (name: string) => string | undefined;
}

/** The value of a secret param, or undefined when it is not set anywhere. */
export async function resolveSecret(
  name: string,
  marker: SecretMarker,
  options: SecretOptions = {},
): Promise<string | undefined> {
  const getEnv = options.getEnv ?? ((n: string) => Deno.env.get(n));
  // The shell-valid name first; the raw upper-cased name (`LILY_SECRET_S3.TOKEN`, settable only
  // through `env`) is still read so that an existing setup keeps working.
  const direct = getEnv(secretEnvName(name)) ?? getEnv(`LILY_SECRET_${name.toUpperCase()}`);
  if (direct !== undefined) return direct;
  if (marker.source.startsWith("env:")) return getEnv(marker.source.slice(4));
  if (marker.source.startsWith("keyring:")) return await fromKeyring(marker.source.slice(8));
  return undefined;
}

async function fromKeyring(spec: string): Promise<string | undefined> {
  const slash = spec.indexOf("/");
  const service = spec.slice(0, slash);
  const account = spec.slice(slash + 1);
  const argv = Deno.build.os === "darwin"
    ? ["security", "find-generic-password", "-s", service, "-a", account, "-w"]
    : ["secret-tool", "lookup", "service", service, "account", account];
  try {
    const out = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).replace(/\n$/, "");
  } catch {
    return undefined;
  }
}

/** Resolves every secret of a lock (for masking, before any byte is written). */
export async function resolveAllSecrets(
  lock: LockFile,
  options: SecretOptions = {},
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, param] of Object.entries(lock.params)) {
    if (!("secret" in param)) continue;
    const value = await resolveSecret(name, param, options);
    if (value !== undefined) out.set(name, value);
  }
  return out;
}
