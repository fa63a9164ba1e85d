/**
 * Killing a step's whole process tree without paying for a process group at spawn time
 * (`setsid` costs an extra exec, ≈ 2.8 ms a step here). On Linux the tree is read from
 * /proc when a kill is needed; the pids found at SIGTERM are remembered, so a grandchild
 * that ignores SIGTERM and is re-parented when its parent exits still gets the SIGKILL.
 * Elsewhere only the direct child is signalled (docs/run.md says so).
 * @module
 */

/** The pids of `root` and all its descendants (Linux), or just `root`. */
export function processTree(root: number): number[] {
  if (Deno.build.os !== "linux") return [root];
  const children = new Map<number, number[]>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      } catch {
        continue;
      }
      // "pid (comm) state ppid …" — comm may contain spaces and parentheses.
      const close = stat.lastIndexOf(")");
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(entry.name));
      else children.set(ppid, [Number(entry.name)]);
    }
  } catch {
    return [root];
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Sends `signal` to every pid (those already gone are ignored). */
export function signalAll(pids: Iterable<number>, signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      Deno.kill(pid, signal);
    } catch {
      // gone
    }
  }
}
