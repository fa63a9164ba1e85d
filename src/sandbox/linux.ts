/**
 * OS isolation on Linux: a sandbox host whose steps have the network off starts inside a new
 * user + network namespace (`unshare -rn`), where no interface but a down loopback exists —
 * whatever program a step starts (curl, bash's /dev/tcp, python3). The namespace is made once
 * per host, not per step.
 * @module
 */

let available: string | null | undefined;

/** The `unshare` program when it works here (checked once), else null. */
export function unshareAvailable(): string | null {
  if (available !== undefined) return available;
  available = null;
  for (const path of ["/usr/bin/unshare", "/bin/unshare"]) {
    try {
      const out = new Deno.Command(path, { args: ["-rn", "true"], stdout: "null", stderr: "null" })
        .outputSync();
      if (out.success) {
        available = path;
        break;
      }
    } catch {
      // not here
    }
  }
  return available;
}

/** The command prefix that takes the network away, or null when it cannot be done here. */
export function networkOffPrefix(): { prefix: string[]; mechanism: string } | null {
  const unshare = unshareAvailable();
  return unshare
    ? { prefix: [unshare, "-rn", "--"], mechanism: "linux user+network namespace (unshare -rn)" }
    : null;
}
