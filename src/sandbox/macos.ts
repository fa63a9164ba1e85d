/**
 * OS isolation on macOS: a sandbox host whose steps have the network off starts under
 * `sandbox-exec` with a profile that denies every network operation (the host talks to the
 * engine through pipes, which the profile leaves alone). Not exercised on this project's Linux
 * CI machine: the GitHub workflow's macOS job runs the network attack test there.
 * @module
 */

/** The Seatbelt profile: everything allowed except the network. */
export const NO_NETWORK_PROFILE = "(version 1)(allow default)(deny network*)";

/** The command prefix that takes the network away, or null when it cannot be done here. */
export function networkOffPrefix(): { prefix: string[]; mechanism: string } | null {
  try {
    if (!Deno.statSync("/usr/bin/sandbox-exec").isFile) return null;
  } catch {
    return null;
  }
  return {
    prefix: ["/usr/bin/sandbox-exec", "-p", NO_NETWORK_PROFILE],
    mechanism: "macOS sandbox-exec (deny network*)",
  };
}
