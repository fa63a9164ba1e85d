/**
 * What a step's policy turns into at the OS level, per platform (linux.ts, macos.ts,
 * windows.ts): a command prefix for the sandbox host that runs it, and the record of what is
 * and is not enforced — which the manifest keeps, so a run never claims more than it did.
 * @module
 */
import * as linux from "./linux.ts";
import * as macos from "./macos.ts";
import * as windows from "./windows.ts";

/** How a run applies isolation: enforce what can be (`auto`), nothing, or refuse the rest. */
export type IsolationMode = "auto" | "none" | "strict";

/** The network part of a step's enforcement record. */
export interface NetworkRecord {
  /** `off`, `on`, or `only a.com, b.org`. */
  network: string;
  /** Whether what `network` says holds for every program the step starts. */
  enforced: boolean;
  mechanism: string | null;
}

/** OS isolation for one host. */
export interface OsIsolation {
  prefix: string[];
  record: NetworkRecord;
}

function platform(): { networkOffPrefix(): { prefix: string[]; mechanism: string } | null } {
  switch (Deno.build.os) {
    case "linux":
      return linux;
    case "darwin":
      return macos;
    default:
      return windows;
  }
}

/** The OS isolation of a step whose `resources.network` is `network`. */
export function osIsolation(network: boolean | string[], mode: IsolationMode): OsIsolation {
  if (network === true) {
    return { prefix: [], record: { network: "on", enforced: true, mechanism: null } };
  }
  const wanted = network === false ? "off" : `only ${network.join(", ")}`;
  if (mode === "none") {
    return { prefix: [], record: { network: wanted, enforced: false, mechanism: null } };
  }
  if (Array.isArray(network)) {
    // Deno's --allow-net holds for Lily's own code in the host, not for the programs a step
    // starts: a domain list is not enforced for them.
    return {
      prefix: [],
      record: { network: wanted, enforced: false, mechanism: "deno --allow-net (built-ins only)" },
    };
  }
  const off = platform().networkOffPrefix();
  if (!off) return { prefix: [], record: { network: wanted, enforced: false, mechanism: null } };
  return {
    prefix: off.prefix,
    record: { network: wanted, enforced: true, mechanism: off.mechanism },
  };
}
