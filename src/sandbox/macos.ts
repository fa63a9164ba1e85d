/**
 * OS isolation on macOS: a sandbox host whose steps have the network off starts under
 * `sandbox-exec` with a profile that denies every network operation (the host talks to the
 * engine through pipes, which the profile leaves alone). Not exercised on this project's Linux
 * CI machine: the GitHub workflow's macOS job runs the network attack test there.
 * @module
 */

/** The Seatbelt profile: everything allowed except the network. */
export const NO_NETWORK_PROFILE = "(version 1)(allow default)(deny network*)";

/** The command prefix for a host whose steps have the network off, or null. */
export function hostPrefix(
  networkOff: boolean,
): { prefix: string[]; mechanism: string; filesystem: boolean } | null {
  if (!networkOff) return null;
  try {
    if (!Deno.statSync("/usr/bin/sandbox-exec").isFile) return null;
  } catch {
    return null;
  }
  return {
    prefix: ["/usr/bin/sandbox-exec", "-p", NO_NETWORK_PROFILE],
    mechanism: "macOS sandbox-exec (deny network*)",
    filesystem: false,
  };
}
