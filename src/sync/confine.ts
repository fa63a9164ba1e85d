/**
 * The command prefix that confines a program `lily sync` starts (a version probe, a package
 * import check): no network, only the system directories, the program and one temporary
 * directory in view, in its own PID namespace. Only bubblewrap confines writes that way
 * (`unshare -rn` and macOS's `sandbox-exec` take the network only), so without it there is no
 * prefix and the program is not started.
 * @module
 */
import { osIsolation } from "../sandbox/isolation.ts";
import { programSupportPaths } from "../sandbox/support.ts";

/** The prefix that runs `program` confined to `dir`, or undefined where this machine cannot. */
export function confinedPrefix(program: string, dir: string): string[] | undefined {
  const home = Deno.env.get("HOME");
  const view = {
    read: [],
    write: [dir],
    hide: [],
    support: programSupportPaths([program], home),
    home,
  };
  const os = osIsolation(false, "auto", view);
  // The prefix may start with a descriptor-closing prelude before bwrap.
  const bwrapAt = os.prefix.findIndex((arg) => /(^|\/)bwrap$/.test(arg));
  if (!os.record.enforced || bwrapAt < 0) return undefined;
  // A PID namespace, so the whole tree dies with the namespace's first process.
  if (os.prefix.includes("--unshare-pid")) return os.prefix;
  return [
    ...os.prefix.slice(0, bwrapAt + 1),
    "--unshare-pid",
    "--die-with-parent",
    ...os.prefix.slice(bwrapAt + 1),
  ];
}
