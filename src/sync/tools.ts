/**
 * The tools of `tool` steps (`registry_pins.tools`) on this machine: `lily sync` checks each
 * process tool's binary against its pin (path, sha256), takes its version with the declared
 * probe — sandboxed like every version probe (version.ts) — and checks it against the
 * declared constraint, recording it in the lock (outside spec_hash). `run --locked` refuses a
 * tool whose binary was replaced. Docker tools are pinned by image reference; resolving the
 * digest is the docker adapter's part of `sync`.
 * @module
 */
import { createHash } from "node:crypto";
import { LilyError, LilyErrors } from "../errors.ts";
import type { LockFile, ToolPin } from "../schema/lock.ts";
import {
  DEFAULT_VERSION_PATTERN,
  parseConstraint,
  satisfies,
  versionIn,
} from "../steps/tool_version.ts";
import { pinnedPath } from "./pins.ts";
import { probeVersion } from "./version.ts";

/** One tool that does not match its pin here. */
export interface ToolDrift {
  adapter: string;
  name: string;
  problem: string;
}

/** What sync found. */
export interface ToolSyncReport {
  /** adapter → tool → its version here (null: not taken). */
  versions: Record<string, Record<string, string | null>>;
  drift: ToolDrift[];
  /** The lock with versions recorded, when any was taken. */
  lock?: LockFile;
}

async function sha256Of(path: string): Promise<string | undefined> {
  try {
    const hash = createHash("sha256");
    using file = await Deno.open(path);
    for await (const chunk of file.readable) hash.update(chunk);
    return hash.digest("hex");
  } catch {
    return undefined;
  }
}

/** How a process tool's binary differs from its pin, or undefined when it matches. */
async function binaryDrift(pin: ToolPin, root: string): Promise<string | undefined> {
  if (pin.path === undefined) return undefined;
  const sha = await sha256Of(pinnedPath({ path: pin.path, sha256: null, version: null }, root));
  if (sha === undefined) return `\`${pin.path}\` does not exist on this machine`;
  if (pin.sha256 && sha !== pin.sha256) {
    return `\`${pin.path}\` was replaced (sha256 ${sha.slice(0, 12)}, pinned ${
      pin.sha256.slice(0, 12)
    })`;
  }
  return undefined;
}

function constraintError(adapter: string, name: string, pin: ToolPin, version: string): LilyError {
  return new LilyError(
    "LILY-E0953",
    `tool \`${name}\` is version ${version} here (${
      pin.path ?? pin.image
    }), which does not satisfy \`${pin.constraint}\``,
    {
      notes: [{ message: `declared in adapters/${adapter}.yaml: version: "${pin.constraint}"` }],
      hint:
        `install a version that does, or change the tool's \`version:\` in adapters/${adapter}.yaml and compose again`,
    },
  );
}

/**
 * Checks and records the tools of `lock`. A version outside its constraint (LILY-E0953) or one
 * that cannot be read when a constraint needs it (LILY-E0954) is an error: every tool is
 * checked, then all of them are thrown together (and nothing is recorded); a replaced binary is
 * drift (reported, exit 1). `say` receives one line per finding.
 */
export async function syncTools(
  lock: LockFile,
  options: { root: string; timeoutMs: number; versions: boolean; say?: (line: string) => void },
): Promise<ToolSyncReport> {
  const report: ToolSyncReport = { versions: {}, drift: [] };
  const errors: LilyError[] = [];
  const all = lock.registry_pins.tools ?? {};
  const updated: Record<string, Record<string, ToolPin>> = {};
  let changed = false;
  let unsandboxed = false;
  for (const [adapter, tools] of Object.entries(all).sort(([a], [b]) => a < b ? -1 : 1)) {
    updated[adapter] = { ...tools };
    report.versions[adapter] = {};
    for (const [name, pin] of Object.entries(tools).sort(([a], [b]) => a < b ? -1 : 1)) {
      report.versions[adapter][name] = pin.version;
      if (pin.image !== undefined) {
        options.say?.(
          `· tool ${name} (${adapter}): image ${pin.image}${
            pin.digest ? `@${pin.digest}` : " (digest resolved by the docker adapter)"
          }`,
        );
        continue;
      }
      const drift = await binaryDrift(pin, options.root);
      if (drift) {
        report.drift.push({ adapter, name, problem: drift });
        options.say?.(`✗ tool ${name}: ${drift}`);
        continue;
      }
      let version = pin.version;
      if (version === null && options.versions && !unsandboxed) {
        const probe = await probeVersion(
          pinnedPath({ path: pin.path!, sha256: null, version: null }, options.root),
          {
            timeoutMs: options.timeoutMs,
            args: pin.version_args,
          },
        );
        const probeText = `\`${pin.binary} ${pin.version_args.join(" ")}\``;
        if (probe.kind === "unsandboxed") {
          unsandboxed = true;
          options.say?.(`! tool versions not checked: ${probe.reason}`);
        } else if (probe.kind === "version") {
          version = versionIn(probe.version, pin.version_pattern ?? DEFAULT_VERSION_PATTERN) ??
            null;
          if (version === null && pin.constraint !== null) {
            errors.push(
              new LilyError(
                "LILY-E0954",
                `tool \`${name}\`: no version in the output of ${probeText}: ${probe.version}`,
                {
                  hint:
                    `set \`version.pattern\` in adapters/${adapter}.yaml to a regular expression whose first group is the version`,
                },
              ),
            );
            continue;
          }
        } else if (pin.constraint !== null) {
          errors.push(
            new LilyError(
              "LILY-E0954",
              `tool \`${name}\`: ${probeText} ${
                probe.kind === "timeout"
                  ? `did not finish within ${options.timeoutMs} ms`
                  : "printed no version (it failed or printed nothing)"
              }, so its version constraint \`${pin.constraint}\` cannot be checked`,
              {
                hint:
                  `set \`version.args\` in adapters/${adapter}.yaml to the flags that print its version${
                    probe.kind === "timeout" ? ", or raise --version-timeout" : ""
                  }`,
              },
            ),
          );
          continue;
        }
        if (version !== null) {
          updated[adapter][name] = { ...pin, version };
          changed = true;
        }
      }
      report.versions[adapter][name] = version;
      if (version !== null && pin.constraint !== null) {
        const constraint = parseConstraint(pin.constraint);
        if (typeof constraint === "string" || !satisfies(version, constraint)) {
          errors.push(constraintError(adapter, name, pin, version));
          continue;
        }
      }
      options.say?.(
        `✓ tool ${name} ${pin.path}${version !== null ? ` ${version}` : ""}${
          pin.constraint !== null
            ? (version !== null
              ? ` (satisfies ${pin.constraint})`
              : ` (${pin.constraint} not checked)`)
            : ""
        }`,
      );
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new LilyErrors(errors);
  if (changed) report.lock = { ...lock, registry_pins: { ...lock.registry_pins, tools: updated } };
  return report;
}

/**
 * `run --locked`: refuses a lock whose tools drifted here — a binary replaced or missing, or a
 * recorded version outside its constraint — or whose constrained tools `lily sync` never
 * checked (no recorded version: never synced, or the check failed) (LILY-E0955). A locked run
 * only starts tools whose version is known to satisfy what the project declares.
 */
export async function assertToolPins(lock: LockFile, root: string): Promise<void> {
  const problems: string[] = [];
  let unchecked = 0;
  for (const [adapter, tools] of Object.entries(lock.registry_pins.tools ?? {})) {
    for (const [name, pin] of Object.entries(tools)) {
      if (pin.image !== undefined) continue;
      const drift = await binaryDrift(pin, root);
      if (drift) problems.push(`tool ${name} (${adapter}): ${drift}`);
      else if (pin.constraint !== null && pin.version === null) {
        unchecked++;
        problems.push(
          `tool ${name} (${adapter}): its version was never checked against \`${pin.constraint}\` (the lock records none)`,
        );
      } else if (pin.version !== null && pin.constraint !== null) {
        const constraint = parseConstraint(pin.constraint);
        if (typeof constraint === "string" || !satisfies(pin.version, constraint)) {
          problems.push(
            `tool ${name} (${adapter}): version ${pin.version} does not satisfy \`${pin.constraint}\``,
          );
        }
      }
    }
  }
  if (problems.length === 0) return;
  const tools = problems.length === 1 ? "a tool" : `${problems.length} tools`;
  throw new LilyError(
    "LILY-E0955",
    unchecked === problems.length
      ? `--locked: ${tools} with a version constraint ${
        problems.length === 1 ? "has" : "have"
      } no checked version in the lock`
      : unchecked === 0
      ? `--locked: ${tools} drifted from the lock's pins`
      : `--locked: ${tools} drifted from the lock's pins or ${
        problems.length === 1 ? "has" : "have"
      } no checked version`,
    {
      flag: "--locked",
      notes: problems.map((message) => ({ message })),
      hint: unchecked === problems.length
        ? "run `lily sync LOCK`: it takes each tool's version and checks it (then run --locked again)"
        : "re-pin with `lily lock refresh LOCK` then run `lily sync LOCK` (which checks the version again), or restore the pinned binary",
    },
  );
}

/**
 * The tool pins after `lily lock refresh` re-pinned the binaries: each process tool takes its
 * binary's new path and sha256; a changed file loses its recorded version (sync takes it again).
 */
export function refreshToolPins(
  lock: LockFile,
  binaries: Record<string, { path: string; sha256: string | null }>,
): { tools?: Record<string, Record<string, ToolPin>>; changed: string[] } {
  const all = lock.registry_pins.tools;
  if (!all) return { changed: [] };
  const changed: string[] = [];
  const tools: Record<string, Record<string, ToolPin>> = {};
  for (const [adapter, pins] of Object.entries(all)) {
    tools[adapter] = {};
    for (const [name, pin] of Object.entries(pins)) {
      const bin = pin.binary !== undefined ? binaries[pin.binary] : undefined;
      if (!bin || (bin.path === pin.path && bin.sha256 === pin.sha256)) {
        tools[adapter][name] = pin;
        continue;
      }
      tools[adapter][name] = { ...pin, path: bin.path, sha256: bin.sha256, version: null };
      changed.push(`tool ${name}`);
    }
  }
  return { tools, changed };
}
