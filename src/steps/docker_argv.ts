/**
 * The `run` command line of a `docker` step: the spec's defaults (docs/docker.md) made
 * explicit. All capabilities dropped, `no-new-privileges`, the engine's default seccomp
 * profile (never `unconfined`), a read-only root file system, a non-root user, no network
 * unless the step allows it, and of the host only the step's roots: the write roots
 * read-write, the other read roots read-only, Lily's `.lily/` hidden by an empty tmpfs, and
 * the attempt's `$LILY_OUTPUT` file. CPU and memory limits from `resources`, GPUs only when
 * `resources.gpu` is true. Environment values travel in the engine's environment (`-e NAME`),
 * never in its arguments: secrets do not show in `ps`.
 * @module
 */
import { dirname } from "node:path";
import { LilyError } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { ContainerEngine } from "./docker_engine.ts";

/** Host variables a container never gets from the step's environment (the image has its own). */
const HOST_ONLY = new Set(["PATH", "HOME", "TMPDIR", "LANG", "TZ"]);

/** What one container run needs. */
export interface DockerRunInput {
  engine: Pick<ContainerEngine, "kind" | "runArgs" | "rootless">;
  step: Pick<LockStep, "id" | "resources">;
  /** The image to run: its pinned digest, or the reference when none is pinned yet. */
  image: string;
  /** The command inside the container. */
  command: string[];
  /** The container's name (the adapter kills and removes it by name). */
  name: string;
  cwd: string;
  env: Record<string, string>;
  readRoots: string[];
  writeRoots: string[];
  denyRoots: string[];
  /** The run's scratch directory: never mounted (only the output file in it). */
  scratch?: string;
  outputFile?: string;
  /** `UID:GID` for `--user` (rootful engines); rootless podman keeps the caller's id. */
  user: string;
  /** `none`, the engine's default network, or `ns:PATH` (a namespace with Lily's proxy). */
  network: "none" | "default" | string;
}

/** The engine arguments (after the program) and the environment the engine process gets. */
export function dockerRunArgs(input: DockerRunInput): {
  args: string[];
  env: Record<string, string>;
} {
  const args = [
    "run",
    "--rm",
    "--pull=never",
    "--name",
    input.name,
    ...input.engine.runArgs,
    "--cap-drop=all",
    "--security-opt",
    "no-new-privileges",
    "--read-only",
    "--workdir",
    input.cwd,
  ];
  // podman passes its own proxy variables to containers unless told not to.
  if (input.engine.kind === "podman") args.push("--http-proxy=false");
  if (input.engine.kind === "podman" && input.engine.rootless) args.push("--userns=keep-id");
  else args.push("--user", input.user);
  if (input.network !== "default") args.push("--network", input.network);
  args.push(...mountArgs(input));
  const resources = input.step.resources;
  if (resources.cpu !== undefined) args.push("--cpus", String(resources.cpu));
  if (resources.memory !== undefined) {
    args.push("--memory", String(memoryBytes(resources.memory, input.step.id)));
  }
  if (resources.gpu === true) {
    if (input.engine.kind === "docker") args.push("--gpus", "all");
    else args.push("--device", "nvidia.com/gpu=all");
  }
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.env)) {
    if (HOST_ONLY.has(name)) continue;
    env[name] = value;
    args.push("-e", name);
  }
  // Not through the engine's own environment: its HOME is where a rootless engine keeps images.
  args.push("-e", "TMPDIR=/tmp", "-e", "HOME=/tmp");
  args.push(input.image, ...input.command);
  return { args, env };
}

/** Bind mounts of the roots (write roots rw, the rest ro), tmpfs over denied directories. */
function mountArgs(input: DockerRunInput): string[] {
  const out: string[] = [];
  const skip = (p: string) => input.scratch !== undefined && within(p, input.scratch);
  const writes = [...new Set(input.writeRoots)].filter((p) => !skip(p) && exists(p)).sort();
  const reads = [...new Set(input.readRoots)].filter((p) =>
    !skip(p) && exists(p) && !writes.some((w) => within(p, w))
  ).sort();
  for (const p of writes) out.push("--volume", `${p}:${p}:rw`);
  for (const p of reads) out.push("--volume", `${p}:${p}:ro`);
  for (const p of [...new Set(input.denyRoots)].sort()) {
    const visible = [...writes, ...reads].some((r) => within(p, r));
    if (!visible || !isDirectory(p)) continue;
    const copyUp = input.engine.kind === "podman" ? ",notmpcopyup" : "";
    out.push("--mount", `type=tmpfs,destination=${p},tmpfs-mode=0500${copyUp}`);
  }
  if (input.outputFile) out.push("--volume", `${input.outputFile}:${input.outputFile}:rw`);
  return out;
}

/** Whether `path` is `root` or below it. */
function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `resources.memory` (`512m`, `1GiB`, `2g`, `1000000`) in bytes; LILY-E0908 when unreadable. */
export function memoryBytes(text: string, stepId: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new LilyError(
      "LILY-E0908",
      `\`resources.memory\` of docker step \`${stepId}\` is not a size: \`${text}\``,
      { hint: "write a size such as `512m`, `2g` or `1GiB`" },
    );
  }
  return Math.floor(Number(m[1]) * unit);
}

/** The user a rootful engine runs a step as: the project root's owner, `nobody` for root's. */
export function containerUser(projectRoot: string): string {
  try {
    const info = Deno.statSync(projectRoot);
    if (info.uid !== null && info.uid !== 0) return `${info.uid}:${info.gid ?? info.uid}`;
  } catch {
    // fall through
  }
  return "65534:65534";
}

/** The scratch directory of an attempt, from its `$LILY_OUTPUT` (`<scratch>/io/<step>.out`). */
export function scratchOf(outputFile: string | undefined): string | undefined {
  return outputFile ? dirname(dirname(outputFile)) : undefined;
}
