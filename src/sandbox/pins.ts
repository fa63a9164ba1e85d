/**
 * Pins hold at the moment of use: a host shows every pinned program of the lock read-only,
 * so no step can rewrite one for a later step. A pin inside the project (or any root a step
 * may write) is first copied, at the run's start, into the run's scratch directory (a part no
 * host can see) and checked against the lock's sha256; hosts mount that verified copy over the
 * pinned path. Renaming the project's directories cannot swap the bytes either: the host
 * resolves nothing in the project to start a pinned program, it finds the copy at the path.
 * @module
 */
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";

/** A pinned program as a host shows it: the bytes at `source`, read-only at `path`. */
export interface PinMount {
  path: string;
  source: string;
}

const made = new Map<string, PinMount[]>();

/**
 * The pin mounts of a run (computed once per scratch directory). Pins whose file is missing or
 * whose bytes differ from the lock are left out: the run refuses them elsewhere (a drift).
 */
export function pinMounts(
  pins: Record<string, { path: string; sha256: string | null }>,
  options: { projectRoot: string; scratch: string; writable: string[] },
): PinMount[] {
  const known = made.get(options.scratch);
  if (known) return known;
  const out: PinMount[] = [];
  const inside = (path: string, root: string) => path === root || path.startsWith(root + "/");
  const seen = new Set<string>();
  for (const pin of Object.values(pins)) {
    const path = resolve(options.projectRoot, pin.path);
    if (seen.has(path)) continue;
    seen.add(path);
    let bytes: Uint8Array;
    try {
      if (!Deno.lstatSync(path).isFile) continue;
      if (!options.writable.some((root) => inside(path, root))) {
        out.push({ path, source: path });
        continue;
      }
      bytes = Deno.readFileSync(path);
    } catch {
      continue;
    }
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (pin.sha256 && pin.sha256.replace(/^sha256:/, "") !== sha) continue;
    const dir = join(options.scratch, "pins");
    Deno.mkdirSync(dir, { recursive: true });
    const source = join(dir, sha);
    Deno.writeFileSync(source, bytes, { mode: 0o555 });
    Deno.chmodSync(source, 0o555);
    out.push({ path, source });
  }
  made.set(options.scratch, out);
  return out;
}
