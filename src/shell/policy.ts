/**
 * What a script may touch: the checks the interpreter makes before a built-in reads or writes a
 * path, the resolution of a command name to the one program the policy pins for it (PATH is
 * never searched), and the translation of Deno's own permission errors into denials. Nothing
 * here runs a command.
 * @module
 */
import { basename, dirname, join, relative, resolve } from "node:path";
import { leavesRoot } from "../util/paths.ts";
import { loaderVariable } from "./loader_env.ts";
import { type DenialKind, ShellDenied, type ShellPolicy } from "./types.ts";

/**
 * Turns Deno's permission error into a denial naming what was refused.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { denialFrom } from "./policy.ts";
 * const policy = { binaries: {}, readRoots: [], writeRoots: [], allowHint: () => "allow it" };
 * const denial = denialFrom(new Error('Requires read access to "/etc/passwd"'), policy);
 * assert(denial.kind === "read" && denial.target === "/etc/passwd");
 * ```
 */
export function denialFrom(error: Error, policy: ShellPolicy): ShellDenied {
  const loader = /subprocess with (\w+) environment variable/.exec(error.message);
  if (loader) return loaderDenial(loader[1], policy);
  const m = /Requires (\w+) access to "?([^",]*)"?/.exec(error.message);
  const kind = ({ read: "read", write: "write", run: "run", net: "net", env: "env" } as const)[
    m?.[1] as "read"
  ] ?? "run";
  const target = m?.[2] ?? "";
  return new ShellDenied(
    kind,
    target,
    `${verb(kind)} \`${target}\` is not allowed by the step's policy`,
    policy.allowHint(kind, target),
  );
}

function loaderDenial(variable: string, policy: ShellPolicy): ShellDenied {
  return new ShellDenied(
    "env",
    variable,
    `passing \`${variable}\` to a program is not allowed in a sandboxed step`,
    policy.allowHint("env", variable),
  );
}

function verb(kind: DenialKind): string {
  return ({ read: "reading", write: "writing", run: "running", net: "connecting to" } as Record<
    string,
    string
  >)[kind] ?? "using";
}

/**
 * Throws a denial unless built-ins may read `absPath`: inside a read or write root, outside
 * the deny roots, and — symlinks resolved — still so.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { checkRead } from "./policy.ts";
 * const policy = { binaries: {}, readRoots: ["/nowhere"], writeRoots: [], allowHint: () => "" };
 * let refused = false;
 * try {
 *   checkRead(policy, "/etc/passwd");
 * } catch {
 *   refused = true;
 * }
 * assert(refused);
 * ```
 */
export function checkRead(policy: ShellPolicy, absPath: string): void {
  checkPath(policy, "read", absPath, [...policy.readRoots, ...policy.writeRoots]);
}

/** Throws a denial unless built-ins may write `absPath` (as {@linkcode checkRead}, write roots). */
export function checkWrite(policy: ShellPolicy, absPath: string): void {
  checkPath(policy, "write", absPath, policy.writeRoots);
}

function checkPath(
  policy: ShellPolicy,
  kind: "read" | "write",
  absPath: string,
  roots: string[],
): void {
  const deny = (target: string) =>
    new ShellDenied(
      kind,
      target,
      `${verb(kind)} \`${target}\` is not allowed by the step's policy`,
      policy.allowHint(kind, target),
    );
  const denied = policy.denyRoots ?? [];
  if (!within(absPath, roots) || within(absPath, denied)) throw deny(absPath);
  // A symlink inside the roots must not lead outside them (even one whose target does not
  // exist yet: writing through it would create the target).
  let real: string;
  try {
    real = realish(absPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) throw deny(absPath);
    throw error;
  }
  if (real !== absPath && (!within(real, roots) || within(real, denied))) {
    throw deny(`${absPath} → ${real}`);
  }
}

/**
 * The path with every symlink resolved, existing or not: a dangling link is followed to where
 * it points, a missing tail is kept as written.
 */
function realish(path: string, depth = 0): string {
  if (depth > 40) throw new Deno.errors.NotFound(`too many levels of symbolic links: ${path}`);
  try {
    return Deno.realPathSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (info?.isSymlink) {
    return realish(resolve(dirname(path), Deno.readLinkSync(path)), depth + 1);
  }
  const parent = dirname(path);
  if (parent === path) return path;
  return join(realish(parent, depth + 1), basename(path));
}

function within(path: string, roots: string[]): boolean {
  for (const root of roots) {
    if (path === root) return true;
    const rel = relative(root, path);
    if (rel && !leavesRoot(rel)) return true;
  }
  return false;
}

/**
 * The absolute path a command name starts, or a denial. PATH is never searched: a name is
 * one of the policy's pinned binaries, and a path (resolved from `cwd`) must be one of them.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { programPath } from "./policy.ts";
 * const policy = {
 *   binaries: { tr: "/usr/bin/tr" }, readRoots: [], writeRoots: [], allowHint: () => "",
 * };
 * assert(programPath(policy, "tr", "/") === "/usr/bin/tr");
 * assert(programPath(policy, "../usr/bin/tr", "/bin") === "/usr/bin/tr");
 * ```
 */
export function programPath(policy: ShellPolicy, name: string, cwd: string): string {
  if (Object.hasOwn(policy.binaries, name)) return policy.binaries[name];
  if (name.includes("/") || name.includes("\\")) {
    const abs = resolve(cwd, name);
    const allowed = new Set(Object.values(policy.binaries));
    if (allowed.has(abs)) return abs;
    try {
      const real = Deno.realPathSync(abs);
      if (allowed.has(real)) return real;
    } catch {
      // not there, or not readable: denied below
    }
  }
  throw new ShellDenied(
    "run",
    name,
    `running \`${name}\` is not allowed by the step's policy (it is not a built-in of Lily's shell and not an allowed binary)`,
    policy.allowHint("run", name),
  );
}

/**
 * Throws a denial when `env` would hand a program a dynamic-loader variable (`LD_PRELOAD`…),
 * which would let it load code the policy never saw.
 */
export function checkProgramEnv(policy: ShellPolicy, env: Record<string, string>): void {
  const loader = loaderVariable(env);
  if (loader) throw loaderDenial(loader, policy);
}
