/**
 * What a step's policy turns into at the OS level, per platform (linux.ts, macos.ts,
 * windows.ts): a command prefix for the sandbox host that runs it, and the record of what is
 * and is not enforced — which the manifest keeps, so a run never claims more than it did.
 * @module
 */
import * as linux from "./linux.ts";
import type { FsView } from "./linux.ts";
import * as macos from "./macos.ts";
import * as windows from "./windows.ts";

export type { FsView };

/** How a run applies isolation: enforce what can be (`auto`), nothing, or refuse the rest. */
export type IsolationMode = "auto" | "none" | "strict";

/** What the OS enforces for a step. */
export interface OsRecord {
  /** `off`, `on`, or `only a.com, b.org`. */
  network: string;
  /** Whether what `network` says holds for every program the step starts. */
  enforced: boolean;
  /** How programs (not only built-ins) are kept to the read and write roots, if they are. */
  filesystem: string;
  mechanism: string | null;
}

/** OS isolation for one host. */
export interface OsIsolation {
  prefix: string[];
  record: OsRecord;
  /** A domain list the host's proxy enforces (the host has no other network). */
  proxy?: string[];
}

const BUILTINS_ONLY = "roots enforced for built-ins only (Lily's shell and Deno permissions)";

/** The OS isolation of a step whose `resources.network` is `network`. */
export function osIsolation(
  network: boolean | string[],
  mode: IsolationMode,
  view: FsView | null = null,
): OsIsolation {
  const wanted = network === true ? "on" : network === false ? "off" : `only ${network.join(", ")}`;
  if (mode === "none") {
    return {
      prefix: [],
      record: {
        network: wanted,
        enforced: network === true,
        filesystem: "not enforced (--isolation none)",
        mechanism: null,
      },
    };
  }
  // A domain list: with bubblewrap, the host gets no network and serves a proxy that admits
  // only the list (proxy.ts); elsewhere the list is not enforced for programs (recorded).
  if (Array.isArray(network) && Deno.build.os === "linux" && view && linux.bwrapAvailable()) {
    const os = linux.hostPrefix(true, view)!;
    return {
      prefix: os.prefix,
      proxy: network,
      record: {
        network: wanted,
        enforced: true,
        filesystem: "programs see only the system directories and the roots (mount namespace)",
        mechanism:
          `${os.mechanism} + Lily's proxy (HTTP_PROXY/HTTPS_PROXY; nothing else reachable)`,
      },
    };
  }
  const off = network === false;
  const os = Deno.build.os === "linux"
    ? linux.hostPrefix(off, view)
    : Deno.build.os === "darwin"
    ? macos.hostPrefix(off)
    : windows.hostPrefix();
  const filesystem = os?.filesystem
    ? "programs see only the system directories and the roots (mount namespace)"
    : BUILTINS_ONLY;
  const enforced = network === true || (off && os !== null);
  return {
    prefix: os?.prefix ?? [],
    record: { network: wanted, enforced, filesystem, mechanism: os?.mechanism ?? null },
  };
}
