/**
 * Nothing a step started outlives it, by construction: on Linux every sandbox host has its own
 * PID namespace (linux.ts), a host runs one attempt at a time, and a process can never leave
 * its PID namespace. So when an attempt ends, or its grace after SIGTERM runs out, the engine
 * kills every process of the host's namespace — and of namespaces nested in it — except the
 * namespace's init and the host itself. Membership is read from `/proc/<pid>/ns/pid`, which
 * a process cannot change; a process forked during a pass is found by the next one, and a
 * process that has received SIGKILL can fork no more, so the passes end.
 * @module
 */

/** A host's PID namespace, seen from the engine. */
export interface HostNamespace {
  /** The `/proc/<pid>/ns/pid` link of the namespace (e.g. `pid:[4026532201]`). */
  ns: string;
  /** The host's pid in the engine's namespace (for /proc reads about it). */
  hostPid: number;
  /** Pids inside the namespace that are spared: its init and the host. */
  keep: Set<number>;
}

function link(pid: number | "self"): string | null {
  try {
    return Deno.readLinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

interface Proc {
  ppid: number;
  state: string;
  ns: string | null;
}

function scan(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(pid, { state: fields[0], ppid: Number(fields[1]), ns: link(pid) });
    } catch {
      // gone
    }
  }
  return out;
}

function innerPid(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const line = /^NSpid:\s*(.*)$/m.exec(status)?.[1].trim().split(/\s+/);
    return line ? Number(line[line.length - 1]) : null;
  } catch {
    return null;
  }
}

/**
 * The PID namespace of the host started as `outerPid` (the process Lily spawned), whose pid
 * inside is `innerHostPid` (its hello), or null when it has none of its own.
 */
export function hostNamespace(outerPid: number, innerHostPid: number): HostNamespace | null {
  if (Deno.build.os !== "linux") return null;
  const self = link("self");
  const procs = scan();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(pid);
    children.set(p.ppid, list);
  }
  const stack = [outerPid];
  while (stack.length) {
    const pid = stack.pop()!;
    const p = procs.get(pid);
    if (p?.ns && p.ns !== self && innerPid(pid) === innerHostPid) {
      return { ns: p.ns, hostPid: pid, keep: new Set([1, innerHostPid]) };
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return null;
}

/**
 * Sends `signal` to every live process of the namespace (and of namespaces nested in it)
 * except those it keeps; returns how many were signalled.
 */
export function signalNamespace(host: HostNamespace, signal: Deno.Signal): number {
  const procs = scan();
  const self = link("self");
  const member = new Map<number, boolean>();
  const isMember = (pid: number): boolean => {
    const chain: number[] = [];
    let answer = false;
    for (let at = pid, depth = 0; depth < 4096; depth++) {
      const known = member.get(at);
      if (known !== undefined) {
        answer = known;
        break;
      }
      const p = procs.get(at);
      chain.push(at);
      if (!p || !p.ns || p.ns === self) break;
      if (p.ns === host.ns) {
        answer = true;
        break;
      }
      at = p.ppid; // a namespace nested in the host's: its creator is the host's member
    }
    for (const p of chain) member.set(p, answer);
    return answer;
  };
  let signalled = 0;
  for (const [pid, p] of procs) {
    if (p.state === "Z" || p.state === "X" || pid === host.hostPid) continue;
    if (!isMember(pid)) continue;
    if (p.ns === host.ns) {
      const inner = innerPid(pid);
      if (inner === null || host.keep.has(inner)) continue;
    }
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
