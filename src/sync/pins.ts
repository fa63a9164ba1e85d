/**
 * Binary pins: each allowed binary resolved to a path (symlinks followed) and the sha256 of the
 * file. Compose only reads files: it never starts a pinned program (a version string, if any,
 * is taken later by `lily sync`, sandboxed: see version.ts). A project-local tool named by a
 * relative path (`./tools/gen.sh`) is pinned relative to the project root, so the lock stays
 * the same on every machine. Pins are in the lock's `registry_pins` but not in `spec_hash`,
 * so `lily lock refresh` and `lily sync` can update them without changing the plan.
 * @module
 */
import { createHash } from "node:crypto";
import { delimiter, isAbsolute, join, relative, resolve } from "node:path";
import { LilyError, LilyErrors } from "../errors.ts";
import { isProjectTool, projectToolPath } from "../util/project_tool.ts";
import { resolveShim } from "../util/shims.ts";

export { isProjectTool, projectToolPath };

/** A pinned binary. `path` is absolute, or relative to the project root for a project tool. */
export interface BinaryPin {
  path: string;
  sha256: string | null;
  version: string | null;
}

/** The absolute path of a pin on this machine (project tools resolve against `root`). */
export function pinnedPath(pin: BinaryPin, root: string): string {
  return isAbsolute(pin.path) ? pin.path : resolve(root, pin.path);
}

function executableFile(candidate: string): string | undefined {
  const exts = Deno.build.os === "windows" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const ext of exts) {
    try {
      const real = Deno.realPathSync(candidate + ext);
      const stat = Deno.statSync(real);
      if (stat.isFile && (Deno.build.os === "windows" || ((stat.mode ?? 0) & 0o111) !== 0)) {
        return real;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Finds `name` on PATH (or checks an absolute path); returns the real path or undefined. */
export function findBinary(name: string, path = Deno.env.get("PATH") ?? ""): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    const found = executableFile(candidate);
    if (found) return found;
  }
  return undefined;
}

/**
 * A project tool's pin path: relative to the project root, after following links, and only
 * when the file stays inside the project (a link out of it is not a project tool).
 */
function findProjectTool(name: string, root: string): string | undefined | null {
  const found = executableFile(resolve(root, projectToolPath(name)));
  if (!found) return undefined;
  let realRoot = root;
  try {
    realRoot = Deno.realPathSync(root);
  } catch {
    // keep the root as given
  }
  const rel = relative(realRoot, found).replaceAll("\\", "/");
  if (rel === "" || rel.startsWith("../") || rel === ".." || isAbsolute(rel)) return null;
  return rel;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * Resolves pins for `names` (path and sha256; no program is started); throws a LilyError
 * naming every binary that is missing. `root` is the project root, for project tools.
 */
export async function resolvePins(
  names: readonly string[],
  options: { path?: string; root?: string } = {},
): Promise<Record<string, BinaryPin>> {
  const root = options.root ?? Deno.cwd();
  const pins: Record<string, BinaryPin> = {};
  const missing: string[] = [];
  const outside: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    if (isProjectTool(name)) {
      const rel = findProjectTool(name, root);
      if (rel === null) outside.push(name);
      else if (rel === undefined) missing.push(name);
      else pins[name] = { path: rel, sha256: await sha256File(resolve(root, rel)), version: null };
      continue;
    }
    const found = findBinary(name, options.path);
    // A pyenv shim is pinned as the interpreter it starts (util/shims.ts; nothing is run).
    const path = found && resolveShim(found, {
      env: (v) => Deno.env.get(v),
      root,
      path: options.path ?? Deno.env.get("PATH") ?? "",
      find: findBinary,
    });
    if (!path) {
      missing.push(name);
      continue;
    }
    pins[name] = { path, sha256: await sha256File(path), version: null };
  }
  const errors: LilyError[] = [];
  if (missing.length) {
    const local = missing.filter(isProjectTool);
    errors.push(
      new LilyError(
        "LILY-E1101",
        `allowed binar${missing.length === 1 ? "y" : "ies"} not found: ${
          missing.map((m) => `\`${m}\``).join(", ")
        }`,
        {
          hint: local.length
            ? "a name with a `/` is a project tool: an executable file at that path relative to the project root (`chmod +x` it); other names are looked up on PATH at compose"
            : "install them, or remove them from `resources.binaries` / `allowed_binaries`; pins are resolved on PATH at compose",
        },
      ),
    );
  }
  if (outside.length) {
    errors.push(
      new LilyError(
        "LILY-E0720",
        `project tool${outside.length === 1 ? "" : "s"} ${
          outside.map((m) => `\`${m}\``).join(", ")
        } resolve${outside.length === 1 ? "s" : ""} outside the project`,
        {
          hint:
            "a relative name in `resources.binaries` is a file inside the project; name a program elsewhere by its bare name (looked up on PATH) or an absolute path",
        },
      ),
    );
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length) throw new LilyErrors(errors);
  return pins;
}

/** One difference between a pin and this machine. */
export interface PinDrift {
  name: string;
  problem: string;
}

/** Compares pins with this machine (project tools are found under `root`). */
export async function checkPins(
  pins: Record<string, BinaryPin>,
  options: { root?: string } = {},
): Promise<PinDrift[]> {
  const root = options.root ?? Deno.cwd();
  const drift: PinDrift[] = [];
  for (const [name, pin] of Object.entries(pins)) {
    let sha: string;
    const path = pinnedPath(pin, root);
    try {
      sha = await sha256File(path);
    } catch {
      drift.push({ name, problem: `\`${pin.path}\` does not exist on this machine` });
      continue;
    }
    if (pin.sha256 && sha !== pin.sha256) {
      drift.push({
        name,
        problem: `\`${pin.path}\` changed (sha256 ${sha.slice(0, 12)}, pinned ${
          pin.sha256.slice(0, 12)
        })`,
      });
    }
  }
  return drift;
}
