/**
 * Nothing a step started outlives it, by construction: on Linux every sandbox host has its own
 * PID namespace (linux.ts), a host runs one attempt at a time, and a process can never leave
 * its PID namespace. So when an attempt ends, or its grace after SIGTERM runs out, the engine
 * kills every process of the host's namespace — and of namespaces nested in it — except the
 * namespace's init and the host itself: every one of them descends from that init, which no
 * process can leave. A process forked during a pass is found by the next one (re-parented to
 * the init if its parent was killed), and a process that has received SIGKILL can fork no
 * more, so the passes end.
 * @module
 */

/** A host's PID namespace, seen from the engine. */
export interface HostNamespace {
  /** The namespace's init, in the engine's namespace (bubblewrap's init, or the host). */
  init: number;
  /** The host's pid in the engine's namespace (for /proc reads about it). */
  hostPid: number;
}

/** The children of `pid` (all its threads'), from /proc/<pid>/task/<tid>/children. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
        for (const word of text.split(" ")) if (word) out.push(Number(word));
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return out;
}

function nsPids(pid: number): number[] | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const line = /^NSpid:\s*(.*)$/m.exec(status)?.[1].trim().split(/\s+/);
    return line ? line.map(Number) : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * The PID namespace of the host started as `outerPid` (the process Lily spawned), whose pid
 * inside is `innerHostPid` (its hello), or null when it has none of its own.
 */
export function hostNamespace(outerPid: number, innerHostPid: number): HostNamespace | null {
  if (Deno.build.os !== "linux") return null;
  // The host is a near descendant of what Lily spawned (bwrap → its init → the host).
  let level = [outerPid];
  for (let depth = 0; depth < 4 && level.length; depth++) {
    for (const pid of level) {
      const ids = nsPids(pid);
      if (ids && ids.length > 1 && ids[ids.length - 1] === innerHostPid) {
        if (innerHostPid === 1) return { init: pid, hostPid: pid };
        // Its parent is the namespace's init (bubblewrap's), which has pid 1 inside.
        const parent = parentOf(pid);
        const parentIds = parent ? nsPids(parent) : null;
        if (!parent || !parentIds || parentIds[parentIds.length - 1] !== 1) return null;
        return { init: parent, hostPid: pid };
      }
    }
    level = level.flatMap(childrenOf);
  }
  return null;
}

function parentOf(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/**
 * Sends `signal` to every live process of the namespace (and of namespaces nested in it)
 * except its init and the host; returns how many were signalled. Every process of a PID
 * namespace descends from its init (orphans are re-parented to it, or to a subreaper inside),
 * so the walk down from the init finds them all.
 */
export function signalNamespace(host: HostNamespace, signal: Deno.Signal): number {
  let signalled = 0;
  const stack = childrenOf(host.init);
  const seen = new Set<number>([host.init]);
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...childrenOf(pid));
    if (pid === host.hostPid || !alive(pid)) continue;
    try {
      Deno.kill(pid, signal);
      signalled++;
    } catch {
      // gone
    }
  }
  return signalled;
}

/** Kills everything the namespace holds but its init and host, until nothing is left. */
export async function clearNamespace(host: HostNamespace): Promise<void> {
  for (let pass = 0; pass < 2000; pass++) {
    if (signalNamespace(host, "SIGKILL") === 0) return;
    await new Promise((resolve) => setTimeout(resolve, pass < 20 ? 1 : 10));
  }
}
