/**
 * What a sandbox host itself needs to see, read-only, inside a file-system view: the Deno
 * executable, Deno's cache (where Lily's compiled modules are) and Lily's own code. Steps
 * cannot write any of it.
 * @module
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

let paths: string[] | undefined;

/**
 * What pinned programs need besides themselves: a program installed under the user's home
 * (a pyenv or asdf shim, ~/.cargo/bin, ~/.local/bin) gets its tool directory (the first
 * directory under the home) read-only, since the home itself is hidden.
 */
export function programSupportPaths(programs: string[], home: string | undefined): string[] {
  const out = new Set<string>();
  for (const program of programs) {
    if (!home || !program.startsWith(home + "/")) {
      out.add(program);
      continue;
    }
    const first = program.slice(home.length + 1).split("/")[0];
    out.add(join(home, first));
  }
  return [...out];
}

/** Lily's own cache directory (`$XDG_CACHE_HOME/lily`, else `~/.cache/lily`). */
export function lilyCacheDir(): string | undefined {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  return xdg ? join(xdg, "lily") : home ? join(home, ".cache", "lily") : undefined;
}

/** Lily's state outside the project that no step may reach: the user cache. */
export function lilyStateDirs(): string[] {
  const cache = lilyCacheDir();
  return cache ? [cache] : [];
}

/** The directories a host needs to start (computed once). */
export function hostSupportPaths(): string[] {
  if (paths) return paths;
  const out: string[] = [];
  try {
    out.push(dirname(Deno.realPathSync(Deno.execPath())));
  } catch {
    // unknown: the host will fail to start, and say so
  }
  const home = Deno.env.get("HOME");
  const denoDir = Deno.env.get("DENO_DIR") ??
    (Deno.env.get("XDG_CACHE_HOME")
      ? join(Deno.env.get("XDG_CACHE_HOME")!, "deno")
      : home
      ? join(home, ".cache", "deno")
      : undefined);
  if (denoDir) out.push(denoDir);
  const source = new URL("../..", import.meta.url);
  if (source.protocol === "file:") out.push(fileURLToPath(source).replace(/\/$/, ""));
  return paths = out;
}
