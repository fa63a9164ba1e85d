/**
 * Version-manager shims pinned as what they stand for. A pyenv shim (`~/.pyenv/shims/python3`)
 * is a bash script that asks pyenv which interpreter to start; pinning the script would pin
 * nothing useful (its hash never changes when the interpreter does) and it cannot run in a
 * sandbox that starts only pinned programs. The shim is resolved here **without starting
 * anything** (compose never executes): the version comes from `PYENV_VERSION`, else the first
 * `.python-version` file from the project root upwards, else `$PYENV_ROOT/version`; the
 * program is `$PYENV_ROOT/versions/<version>/bin/<name>`. The version `system` means the next
 * match on PATH after the shims directory.
 * @module
 */
import { basename, delimiter, dirname, join } from "node:path";

/** What {@linkcode resolveShim} needs from the environment. */
export interface ShimContext {
  /** Reads an environment variable. */
  env: (name: string) => string | undefined;
  /** Where `.python-version` is looked up from (the project root). */
  root?: string;
  /** The PATH the program was found on (for the `system` version). */
  path: string;
  /** Finds a program on a PATH, as the caller does (real path or undefined). */
  find: (name: string, path: string) => string | undefined;
}

/** Reads at most 64 KiB of a small text file, or undefined. */
function readSmall(path: string): string | undefined {
  try {
    const stat = Deno.statSync(path);
    if (!stat.isFile || stat.size > 64 * 1024) return undefined;
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** The pyenv version selected for `root` (first line, first word), or undefined. */
function pyenvVersion(pyenvRoot: string, context: ShimContext): string | undefined {
  const fromEnv = context.env("PYENV_VERSION");
  if (fromEnv) return fromEnv.split(":")[0].trim();
  let dir = context.root;
  while (dir) {
    const text = readSmall(join(dir, ".python-version"));
    if (text !== undefined) return text.trim().split(/\s+/)[0];
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return readSmall(join(pyenvRoot, "version"))?.trim().split(/\s+/)[0];
}

/**
 * The program a shim at `path` (already a real path) starts, or `path` itself when it is not
 * a shim or cannot be resolved statically.
 *
 * @example
 * ```ts
 * import { resolveShim } from "./shims.ts";
 * const same = resolveShim("/usr/bin/env", { env: () => undefined, path: "", find: () => undefined });
 * if (same !== "/usr/bin/env") throw new Error("not a shim: unchanged");
 * ```
 */
export function resolveShim(path: string, context: ShimContext): string {
  const text = readSmall(path);
  if (text === undefined || !text.startsWith("#!")) return path;
  const exec = /exec\s+"([^"]*\/libexec\/pyenv)"\s+exec\s+"\$program"/.exec(text);
  if (!exec) return path;
  const rootLine = /^export PYENV_ROOT="([^"]+)"/m.exec(text);
  const pyenvRoot = rootLine?.[1] ?? dirname(dirname(dirname(exec[1])));
  const name = basename(path);
  const version = pyenvVersion(pyenvRoot, context);
  if (!version) return path;
  if (version === "system") {
    const shims = dirname(path);
    const rest = context.path.split(delimiter).filter((d) => d && d !== shims).join(delimiter);
    return context.find(name, rest) ?? path;
  }
  if (version.includes("/") || version.startsWith(".")) return path;
  try {
    const real = Deno.realPathSync(join(pyenvRoot, "versions", version, "bin", name));
    return Deno.statSync(real).isFile ? real : path;
  } catch {
    return path;
  }
}
