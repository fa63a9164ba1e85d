/**
 * OS isolation on Linux, set up once per sandbox host (not per step):
 * - with bubblewrap (`bwrap`): a new mount namespace showing only the system directories
 *   (read-only), the step's read roots (read-only), its write roots and scratch directory,
 *   with `.lily/` and $HOME replaced by empty directories — so an allowed program cannot read
 *   or write what the policy does not list either — plus a new network namespace when the
 *   step's network is off;
 * - without it, `unshare -rn`: the network namespace only.
 * No interface but a down loopback exists in the new network namespace, whatever the program
 * (curl, bash's /dev/tcp, python3).
 * @module
 */

/** What a host may see of the file system. */
export interface FsView {
  /** Read-only: the step's read roots. */
  read: string[];
  /** Read-write: the step's write roots and scratch directory. */
  write: string[];
  /** Inside the roots, replaced by an empty directory (Lily's `.lily/`). */
  hide: string[];
  /** Read-only, for the host itself: Deno, its cache, Lily's code, pinned programs. */
  support: string[];
  /** Replaced by an empty, writable directory (the user's home). */
  home?: string;
}

/** The system directories every program needs, read-only. */
const SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

const checked = new Map<string, string | null>();

function works(path: string, args: string[]): boolean {
  try {
    return new Deno.Command(path, { args, stdout: "null", stderr: "null", stdin: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** The `unshare` program when it works here (checked once), else null. */
export function unshareAvailable(): string | null {
  if (!checked.has("unshare")) {
    const found = ["/usr/bin/unshare", "/bin/unshare"].find((p) => works(p, ["-rn", "true"]));
    checked.set("unshare", found ?? null);
  }
  return checked.get("unshare")!;
}

/** The `bwrap` program when it can make namespaces here (checked once), else null. */
export function bwrapAvailable(): string | null {
  if (!checked.has("bwrap")) {
    const found = ["/usr/bin/bwrap", "/bin/bwrap"].find((p) =>
      works(p, ["--ro-bind", "/", "/", "--unshare-net", "--die-with-parent", "true"])
    );
    checked.set("bwrap", found ?? null);
  }
  return checked.get("bwrap")!;
}

/** The command prefix for a host, what it enforces, or null when nothing can be done here. */
export function hostPrefix(
  networkOff: boolean,
  view: FsView | null,
): { prefix: string[]; mechanism: string; filesystem: boolean } | null {
  const bwrap = view ? bwrapAvailable() : null;
  if (bwrap && view) {
    const args = ["--die-with-parent"];
    if (networkOff) args.push("--unshare-net");
    for (const dir of SYSTEM) args.push("--ro-bind-try", dir, dir);
    if (!networkOff) args.push("--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve");
    args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
    if (view.home) args.push("--tmpfs", view.home);
    for (const dir of view.support) args.push("--ro-bind-try", dir, dir);
    const writable = new Set(view.write);
    for (const dir of view.read) if (!writable.has(dir)) args.push("--ro-bind-try", dir, dir);
    for (const dir of view.write) args.push("--bind-try", dir, dir);
    for (const dir of view.hide) args.push("--tmpfs", dir);
    return {
      prefix: [bwrap, ...args, "--"],
      mechanism: `bubblewrap (mount${networkOff ? " + network" : ""} namespace)`,
      filesystem: true,
    };
  }
  if (!networkOff) return null;
  const unshare = unshareAvailable();
  return unshare
    ? {
      prefix: [unshare, "-rn", "--"],
      mechanism: "linux user+network namespace (unshare -rn)",
      filesystem: false,
    }
    : null;
}
