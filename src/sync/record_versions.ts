/**
 * `lily sync`'s version step: the version line of every pinned program that has none yet,
 * taken sandboxed (version.ts) and written into the lock's pins. Pins are outside
 * `spec_hash`, so the plan's identity does not move.
 * @module
 */
import type { LockFile } from "../schema/lock.ts";
import { pinnedPath } from "./pins.ts";
import { probeVersion } from "./version.ts";

/** What was taken: each pin's version (null when none), and the updated lock if any changed. */
export interface RecordedVersions {
  versions: Record<string, string | null>;
  lock?: LockFile;
}

/**
 * Takes missing version lines. `say` receives one line per finding a user should read.
 *
 * @example
 * ```ts ignore
 * const { lock } = await recordVersions(current, { root: ".", timeoutMs: 5000 });
 * ```
 */
export async function recordVersions(
  lock: LockFile,
  options: { root: string; timeoutMs: number; say?: (line: string) => void },
): Promise<RecordedVersions> {
  const versions: Record<string, string | null> = {};
  const binaries = { ...lock.registry_pins.binaries };
  let changed = false;
  for (const [name, pin] of Object.entries(binaries).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (pin.version !== null) {
      versions[name] = pin.version;
      continue;
    }
    versions[name] = null;
    const probe = await probeVersion(pinnedPath(pin, options.root), {
      timeoutMs: options.timeoutMs,
    });
    switch (probe.kind) {
      case "version":
        versions[name] = probe.version;
        binaries[name] = { ...pin, version: probe.version };
        changed = true;
        options.say?.(`✓ version of ${name}: ${probe.version}`);
        break;
      case "timeout":
        options.say?.(
          `! version of ${name}: \`${name} ${probe.flag}\` did not finish within ${options.timeoutMs} ms; it was killed with everything it started, and no version is recorded (raise --version-timeout, or skip with --no-versions)`,
        );
        break;
      case "unsandboxed":
        options.say?.(`! versions not taken: ${probe.reason}`);
        return { versions };
      case "none":
        break;
    }
  }
  if (!changed) return { versions };
  return {
    versions,
    lock: { ...lock, registry_pins: { ...lock.registry_pins, binaries } },
  };
}
