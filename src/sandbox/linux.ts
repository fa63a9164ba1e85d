/**
 * OS isolation on Linux, set up once per sandbox host (not per step). Both mechanisms start the
 * host the same way — inherited descriptors other than 0/1/2 closed (fd_prelude.ts), a new
 * session with no controlling terminal, its own user, PID, mount and IPC namespaces (so its
 * own /proc: the engine and every other process are invisible), no capabilities — and differ
 * in what programs see of the file system:
 * - with bubblewrap (`bwrap`): a new root showing only the system directories (read-only), the
 *   read roots (read-only), the write roots, the host's private scratch directory; Lily's
 *   state (`.lily/`, the user cache) as empty directories, Deno's cache, Lily's code and the
 *   pinned programs read-only, $HOME empty; the step runs as an unprivileged uid (65534 when
 *   Lily runs as root, else the invoking uid);
 * - without it (`unshare` + `setpriv`, from util-linux): the whole file system stays visible
 *   with the invoking user's rights, but Lily's state is covered by empty directories, the
 *   run's scratch directory shows only the host's own part, and Deno's cache, Lily's code and
 *   the pinned programs are remounted read-only; the step runs as
 *   uid 0 of its own user namespace (mapped to the invoking uid) with every capability dropped.
 * The network namespace is new when the step's network is off (nothing but a down loopback).
 * `LILY_SANDBOX=unshare` forces the fallback (to test it where bubblewrap exists).
 * @module
 */
import { fdPrelude } from "./fd_prelude.ts";

/** What a host may see of the file system. */
export interface FsView {
  /** Read-only: the step's read roots. */
  read: string[];
  /** Read-write: the step's write roots and scratch directory. */
  write: string[];
  /** Replaced by an empty directory wherever it is (Lily's `.lily/`, the user cache). */
  hide: string[];
  /** Read-only, for the host itself: Deno, its cache, Lily's code, pinned programs. */
  support: string[];
  /** Replaced by an empty, writable directory (the user's home). */
  home?: string;
  /** Pinned programs: `path` shows the verified bytes at `source`, read-only. */
  pins?: { path: string; source: string }[];
  /** The run's scratch directory: each host sees only its own part (pool.ts). */
  scratch?: string;
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

function forced(): string | undefined {
  try {
    return Deno.env.get("LILY_SANDBOX");
  } catch {
    return undefined;
  }
}

/** The uid and gid steps run as inside bubblewrap's user namespace. */
export function insideIds(): { uid: number; gid: number } {
  const uid = Deno.uid() ?? 0;
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid: Deno.gid() ?? uid };
}

/** The `unshare` and `setpriv` programs when they can build a fallback host here, else null. */
export function unshareAvailable(): string | null {
  if (!checked.has("unshare")) {
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => works(p, ["--help"]));
    const found = setpriv
      ? ["/usr/bin/unshare", "/bin/unshare"].find((p) => works(p, [...UNSHARE_FLAGS, "-n", "true"]))
      : undefined;
    checked.set("unshare", found ?? null);
    checked.set("setpriv", setpriv ?? null);
  }
  return checked.get("unshare")!;
}

/** The `bwrap` program when it can make namespaces here (checked once), else null. */
export function bwrapAvailable(): string | null {
  if (forced() === "unshare") return null;
  if (!checked.has("bwrap")) {
    const { uid, gid } = insideIds();
    const found = ["/usr/bin/bwrap", "/bin/bwrap"].find((p) =>
      works(p, [
        ...["--unshare-user", "--uid", String(uid), "--gid", String(gid)],
        ...["--unshare-pid", "--unshare-net", "--cap-drop", "ALL", "--new-session"],
        ...["--ro-bind", "/", "/", "--proc", "/proc", "--die-with-parent", "true"],
      ])
    );
    checked.set("bwrap", found ?? null);
  }
  return checked.get("bwrap")!;
}

const UNSHARE_FLAGS = [
  "--user",
  "--map-root-user",
  "--pid",
  "--fork",
  "--kill-child",
  "--mount",
  "--mount-proc",
  "--ipc",
  "--propagation",
  "private",
];

/** What a host prefix enforces, beyond the network. */
export interface HostPrefix {
  prefix: string[];
  mechanism: string;
  /** Programs see only the system directories and the roots. */
  filesystem: boolean;
  /** Each host sees only its own scratch directory (so each attempt, pool.ts). */
  privateScratch: boolean;
}

type Kind = "tmpfs" | "rw" | "ro" | "pin" | "hide";
const RANK: Record<Kind, number> = { tmpfs: 0, ro: 1, rw: 2, pin: 3, hide: 4 };

/**
 * bubblewrap's mount arguments: parents before children (a path gets the mode of its nearest
 * listed ancestor), and at one path the strongest kind wins (hidden > pinned > writable >
 * read-only), so Deno's cache or `.lily/` inside a write root stay read-only or hidden.
 */
function bwrapMounts(view: FsView, networkOff: boolean): string[] {
  const at = new Map<string, { kind: Kind; source: string }>();
  const put = (path: string, kind: Kind, source = path) => {
    const old = at.get(path);
    if (!old || RANK[kind] >= RANK[old.kind]) at.set(path, { kind, source });
  };
  for (const dir of SYSTEM) put(dir, "ro");
  put("/tmp", "tmpfs");
  if (view.home) put(view.home, "tmpfs");
  // The run's scratch directory is not shown: only the host's own part of it (pool.ts).
  for (const dir of view.read) if (dir !== view.scratch) put(dir, "ro");
  for (const dir of view.write) if (dir !== view.scratch) put(dir, "rw");
  if (view.scratch) put(`${view.scratch}/h/@HOST@`, "rw");
  for (const dir of view.support) put(dir, "ro");
  for (const pin of view.pins ?? []) put(pin.path, "pin", pin.source);
  for (const dir of view.hide) put(dir, "hide");
  const args: string[] = [];
  if (!networkOff) args.push("--ro-bind-try", "/run/systemd/resolve", "/run/systemd/resolve");
  const paths = [...at.keys()].sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const path of paths) {
    const { kind, source } = at.get(path)!;
    if (kind === "tmpfs") args.push("--tmpfs", path);
    else if (kind === "ro") args.push("--ro-bind-try", source, path);
    else if (kind === "rw") args.push("--bind-try", source, path);
    else if (kind === "pin") args.push("--ro-bind", source, path);
    else if (hidden(path)) args.push("--tmpfs", path);
  }
  args.push("--proc", "/proc", "--dev", "/dev");
  return args;
}

/** A hidden directory is covered where it exists (elsewhere there is nothing to cover). */
function hidden(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The fallback's mount script (run as uid 0 of the host's new user namespace, before its
 * capabilities are dropped): empty directories over Lily's state, read-only binds over Deno's
 * cache, Lily's code and the pins. Paths are passed as arguments, never spliced into code.
 */
const FALLBACK_MOUNTS = `set -e
PATH=/usr/sbin:/usr/bin:/sbin:/bin
while [ "$1" != -- ]; do
  kind=$1 src=$2 dst=$3; shift 3
  [ -e "$dst" ] || continue
  case $kind in
    hide) mount -t tmpfs -o size=64k,mode=0555 lily-hidden "$dst" ;;
    self) mount --bind "$dst" "$dst" ;;
    ro) mount --bind "$src" "$dst"; mount -o remount,bind,ro "$dst" ;;
    only) cd "$src"; mount -t tmpfs -o size=64k,mode=0755 lily-scratch "$dst"
      mkdir -p "$src"; mount --no-canonicalize --bind /proc/self/cwd "$src"; cd / ;;
  esac
done
shift
exec "$@"`;

/** The command prefix for a host, what it enforces, or null when nothing can be done here. */
export function hostPrefix(networkOff: boolean, view: FsView | null): HostPrefix | null {
  const bwrap = view ? bwrapAvailable() : null;
  if (bwrap && view) {
    const { uid, gid } = insideIds();
    const args = [
      "--die-with-parent",
      "--new-session",
      ...["--unshare-user", "--uid", String(uid), "--gid", String(gid)],
      ...["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL"],
    ];
    if (networkOff) args.push("--unshare-net");
    args.push(...bwrapMounts(view, networkOff));
    return {
      prefix: [...fdPrelude(), bwrap, ...args, "--"],
      mechanism: `bubblewrap (user + pid + mount${
        networkOff ? " + network" : ""
      } namespaces, no capabilities, uid ${uid}, new session)`,
      filesystem: true,
      privateScratch: !!view.scratch,
    };
  }
  const unshare = unshareAvailable();
  if (!unshare) return null;
  const setpriv = checked.get("setpriv")!;
  const mounts: string[] = [];
  if (view) {
    // Each root becomes a mount point, which cannot be renamed (as with bubblewrap): moving the
    // project away under the engine fails.
    for (const dir of new Set([...view.read, ...view.write])) {
      if (dir !== view.scratch) mounts.push("self", "-", dir);
    }
    for (const dir of view.hide) mounts.push("hide", "-", dir);
    for (const dir of view.support) mounts.push("ro", dir, dir);
    for (const pin of view.pins ?? []) mounts.push("ro", pin.source, pin.path);
    // Last: the run's scratch directory shows only this host's part (pins are bound already).
    if (view.scratch) mounts.push("only", `${view.scratch}/h/@HOST@`, view.scratch);
  }
  return {
    prefix: [
      ...fdPrelude(),
      "/usr/bin/setsid",
      unshare,
      ...UNSHARE_FLAGS,
      ...(networkOff ? ["--net"] : []),
      "--",
      "/bin/sh",
      "-c",
      FALLBACK_MOUNTS,
      "lily-host",
      ...mounts,
      "--",
      setpriv,
      "--no-new-privs",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--",
    ],
    mechanism: `linux user + pid + mount${
      networkOff ? " + network" : ""
    } namespaces (unshare; no capabilities, new session; Lily's state covered, no file-system view)`,
    filesystem: false,
    privateScratch: !!view?.scratch,
  };
}
