/**
 * A policy denial as the user reads it: what the step tried, the stable code, and the policy
 * line that would allow it.
 * @module
 */
import type { LockFile, LockStep } from "../schema/lock.ts";
import { isProjectTool, projectToolPath } from "../util/project_tool.ts";

/** A denial, described for the manifest, the events and the console. */
export interface Denial {
  code: string;
  kind: string;
  target: string;
  message: string;
  hint: string;
}

const CODES: Record<string, string> = {
  run: "LILY-E0820",
  read: "LILY-E0821",
  write: "LILY-E0822",
  env: "LILY-E0823",
  net: "LILY-E0824",
};

/** Describes what a step was refused. */
export function describeDenial(
  step: LockStep,
  denied: { kind: string; target: string; message: string },
  lock: LockFile,
): Denial {
  const code = CODES[denied.kind] ?? "LILY-E0820";
  const target = denied.target;
  let message: string;
  let hint: string;
  switch (denied.kind) {
    case "run": {
      // A relative path is a project tool, allowed by that path (pinned relative to the root).
      const name = isProjectTool(target)
        ? `./${projectToolPath(target)}`
        : target.split(/[\\/]/).pop() || target;
      message = `step \`${step.id}\` tried to run \`${target}\`, which its policy does not allow`;
      hint = lock.registry_pins.binaries[name] || lock.env_policy.allowed_binaries.includes(name)
        ? `add \`${name}\` to this step's \`resources.binaries\` (resources: {binaries: [${name}]})`
        : `add \`${name}\` to this step's \`resources.binaries\` (resources: {binaries: [${name}]}), or to \`allowed_binaries\` in .lilyrc, and compose again`;
      break;
    }
    case "read":
    case "write": {
      const roots = denied.kind === "read"
        ? [...lock.env_policy.read_roots, ...lock.env_policy.write_roots]
        : lock.env_policy.write_roots;
      message = `step \`${step.id}\` tried to ${denied.kind} \`${target}\`, outside its ${
        denied.kind === "read" ? "read" : "write"
      } roots (${[...new Set(roots)].map((r) => `\`${r}\``).join(", ")}, not \`.lily/\`)`;
      hint = target.includes("/.lily")
        ? "Lily's own state (`.lily/`) is never readable or writable by steps"
        : `add the directory to \`${denied.kind}_roots\` in .lilyrc, and compose again`;
      break;
    }
    case "env":
      message =
        `step \`${step.id}\` passes \`${target}\` to a program, which a sandboxed step may not do`;
      hint =
        "remove it from the step's `env:`; loader variables (LD_*, DYLD_*, GCONV_PATH, LOCPATH… see docs/security.md) make an allowed program run code the step chose";
      break;
    case "net":
      message = `step \`${step.id}\`: ${denied.message}`;
      hint = step.uses === "llm"
        ? "an llm step reaches only its provider's host (`with.base_url`); call the final URL directly"
        : "list the host in this step's `resources.network`";
      break;
    default:
      // An interpreter's own refusal (a python audit event: `subprocess.Popen`, `os.system`…):
      // its message says what the policy allows instead.
      message = `step \`${step.id}\`: ${denied.message}`;
      hint =
        "the step's policy does not allow this operation (docs/security.md lists what steps may do)";
  }
  return { code, kind: denied.kind, target, message, hint };
}
