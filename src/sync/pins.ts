/**
 * Binary pins: each allowed binary resolved to an absolute path (symlinks followed), the
 * sha256 of the file and its version line. Pins are in the lock's `registry_pins` but not in
 * `spec_hash`, so `lily lock refresh` can update them without changing the plan.
 * @module
 */
import { createHash } from "node:crypto";
import { delimiter, isAbsolute, join } from "node:path";
import { LilyError } from "../errors.ts";

/** A pinned binary. */
export interface BinaryPin {
  path: string;
  sha256: string | null;
  version: string | null;
}

/** Finds `name` on PATH (or checks an absolute path); returns the real path or undefined. */
export function findBinary(name: string, path = Deno.env.get("PATH") ?? ""): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  const exts = Deno.build.os === "windows" ? ["", ".exe", ".cmd", ".bat"] : [""];
  for (const candidate of candidates) {
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
  }
  return undefined;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

async function versionOf(path: string): Promise<string | null> {
  for (const flag of ["--version", "-V", "version"]) {
    try {
      const child = new Deno.Command(path, {
        args: [flag],
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
      }).spawn();
      const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
      const out = await child.output();
      clearTimeout(timer);
      if (!out.success) continue;
      const text =
        new TextDecoder().decode(out.stdout.length ? out.stdout : out.stderr).trim().split("\n")[0];
      if (text) return text.slice(0, 200);
    } catch {
      // no version
    }
  }
  return null;
}

/** Resolves pins for `names`; throws a LilyError naming every binary that is missing. */
export async function resolvePins(
  names: readonly string[],
  options: { path?: string } = {},
): Promise<Record<string, BinaryPin>> {
  const pins: Record<string, BinaryPin> = {};
  const missing: string[] = [];
  for (const name of [...new Set(names)].sort()) {
    const path = findBinary(name, options.path);
    if (!path) {
      missing.push(name);
      continue;
    }
    pins[name] = { path, sha256: await sha256File(path), version: await versionOf(path) };
  }
  if (missing.length) {
    throw new LilyError(
      "LILY-E1101",
      `allowed binar${missing.length === 1 ? "y" : "ies"} not found: ${
        missing.map((m) => `\`${m}\``).join(", ")
      }`,
      {
        hint:
          "install them, or remove them from `resources.binaries` / `allowed_binaries`; pins are resolved on PATH at compose",
      },
    );
  }
  return pins;
}

/** One difference between a pin and this machine. */
export interface PinDrift {
  name: string;
  problem: string;
}

/** Compares pins with this machine. */
export async function checkPins(pins: Record<string, BinaryPin>): Promise<PinDrift[]> {
  const drift: PinDrift[] = [];
  for (const [name, pin] of Object.entries(pins)) {
    let sha: string;
    try {
      sha = await sha256File(pin.path);
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
