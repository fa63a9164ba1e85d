/**
 * Network isolation by the OS, for steps whose policy says `network: false`: on Linux each
 * such step starts inside a new user + network namespace (`unshare -rn`), where no interface
 * but a down loopback exists — whatever the program (curl, bash's /dev/tcp, python3).
 * macOS (`sandbox-exec`) and Windows are not supported yet: the manifest says so, and
 * `--isolation strict` refuses to run instead of pretending.
 * @module
 */

/** How a run applies isolation. */
export type IsolationMode = "auto" | "none" | "strict";

let available: string | null | undefined;

/** The `unshare` program when it works here (checked once), else null. */
export function unshareAvailable(): string | null {
  if (available !== undefined) return available;
  available = null;
  if (Deno.build.os !== "linux") return available;
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

/** What a step's network policy turns into: a command prefix and the record of it. */
export interface NetworkEnforcement {
  prefix: string[];
  record: { network: string; enforced: boolean; mechanism: string | null };
}

/** The enforcement for a step's `resources.network`. */
export function networkEnforcement(
  network: boolean | string[],
  mode: IsolationMode,
): NetworkEnforcement {
  if (network === true) {
    return { prefix: [], record: { network: "on", enforced: true, mechanism: null } };
  }
  if (Array.isArray(network)) {
    return {
      prefix: [],
      record: { network: `only ${network.join(", ")}`, enforced: false, mechanism: null },
    };
  }
  if (mode === "none") {
    return { prefix: [], record: { network: "off", enforced: false, mechanism: null } };
  }
  const unshare = unshareAvailable();
  if (unshare) {
    return {
      prefix: [unshare, "-rn", "--"],
      record: { network: "off", enforced: true, mechanism: "linux netns (unshare -rn)" },
    };
  }
  return { prefix: [], record: { network: "off", enforced: false, mechanism: null } };
}
