/**
 * What a step's policy turns into at the OS level, per platform (linux.ts, macos.ts,
 * windows.ts): a command prefix for the sandbox host that runs it, and the record of what is
 * and is not enforced — which the manifest keeps, so a run never claims more than it did.
 * @module
 */
import { descriptorsClosed } from "./fd_prelude.ts";
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
  /**
   * What else holds for the programs a step starts (bubblewrap and the fallback differ; see
   * docs/security.md): their processes, terminal, descriptors, identity, and whether Lily's
   * state, the scratch directory and the pinned programs are out of their reach.
   */
  holds?: Holds;
  /** The guarantees of `holds` that do not fully hold here (said with `!` by `lily sync`). */
  not_held?: (keyof Holds)[];
}

/** The guarantees beyond network and file system, each as a short sentence. */
export interface Holds {
  /** Whether the programs a step starts are kept to its read and write roots. */
  programs: string;
  processes: string;
  terminal: string;
  descriptors: string;
  identity: string;
  lily_state: string;
  scratch: string;
  pins: string;
  unix_sockets: string;
}

/** OS isolation for one host. */
export interface OsIsolation {
  prefix: string[];
  /** The run's scratch directory, of which each host sees only its own part (pool.ts). */
  scratch?: string;
  /** Whether the host has its own PID namespace (leftover processes are killed by it). */
  pidNamespace?: boolean;
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
      scratch: view.scratch,
      pidNamespace: true,
      record: {
        ...held(holdsOf(os), os),
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
  const linuxHost = Deno.build.os === "linux" && os !== null;
  return {
    prefix: os?.prefix ?? [],
    scratch: view?.scratch,
    pidNamespace: linuxHost,
    record: {
      network: wanted,
      enforced,
      filesystem,
      mechanism: os?.mechanism ?? null,
      ...held(
        holdsOf(linuxHost ? os as linux.HostPrefix : null),
        linuxHost ? os as linux.HostPrefix : null,
      ),
    },
  };
}

/** `holds` and the keys among them that do not fully hold. */
function held(
  holds: Holds,
  os: linux.HostPrefix | null,
): { holds: Holds; not_held: (keyof Holds)[] } {
  const not: (keyof Holds)[] = [];
  if (!os) not.push("processes", "terminal", "identity", "lily_state", "scratch", "pins");
  if (!descriptorsClosed()) not.push("descriptors");
  if (!os?.filesystem) not.push("programs", "unix_sockets");
  if (os && !os.filesystem && Deno.uid() === 0) not.push("identity");
  return { holds, not_held: not };
}

/** The record of what a Linux host prefix holds (null: a platform without namespaces). */
function holdsOf(os: linux.HostPrefix | null): Holds {
  if (!os) {
    return {
      programs: "not kept to the roots (no mount namespace here: " + BUILTINS_ONLY + ")",
      processes: "the program tree read from the OS at a kill (a program that escapes it lives on)",
      terminal: "not detached from the terminal",
      descriptors: descriptorsClosed()
        ? "stdin, stdout and stderr only"
        : "inherited descriptors reach programs",
      identity: "the invoking user",
      lily_state: "denied to built-ins only (Lily's shell and Deno permissions)",
      scratch: "private per attempt for built-ins only",
      pins: "not protected against programs that can write them",
      unix_sockets: "path unix sockets of host services reachable",
    };
  }
  const bwrap = os.filesystem;
  const { uid } = linux.insideIds();
  return {
    programs: bwrap
      ? "kept to the roots (they see only the system directories and the roots)"
      : "not kept to the roots (the fallback has no mount namespace view: programs see the whole " +
        "file system with the invoking user's access; " + BUILTINS_ONLY + ")",
    processes:
      "own PID namespace: whatever an attempt started is killed when it ends; the engine and other processes are invisible",
    terminal: "new session, no controlling terminal",
    descriptors: descriptorsClosed()
      ? "stdin, stdout and stderr only"
      : "inherited descriptors reach programs (bash is missing)",
    identity: bwrap
      ? `uid ${uid} in its own user namespace${
        Deno.uid() === 0
          ? " (mapped to root outside: files written to the roots belong to root)"
          : ""
      }, no capabilities`
      : `uid 0 of its own user namespace (the invoking user outside: ${
        Deno.uid() === 0 ? "root's file access" : `uid ${Deno.uid()}`
      }), no capabilities`,
    lily_state: "covered by empty directories (mounts)",
    scratch: os.privateScratch
      ? "private per attempt (each host mounts only its own)"
      : "private per attempt for built-ins only (programs see the whole file system)",
    pins: "read-only mounts of the bytes verified at the run's start",
    unix_sockets: bwrap
      ? "only sockets inside the roots (nothing else is in view)"
      : "path unix sockets of host services reachable (no file-system view)",
  };
}
