/**
 * The container engine a `docker` step runs in: `podman` or `docker`, whichever works here
 * (`LILY_CONTAINER_ENGINE` names one). Found once per process. Also the image queries the
 * adapter, `lily sync`, `lily lock refresh` and `run --locked` share: an image's digest (its
 * content-addressed ID, `sha256:…`, the same for docker and podman and for pulled and imported
 * images), and pulling a missing one.
 * @module
 */
import { join } from "node:path";
import { LilyError } from "../errors.ts";

/** A working container engine. */
export interface ContainerEngine {
  /** Absolute path of the client program. */
  program: string;
  kind: "podman" | "docker";
  /** Options every `run` gets (podman: `--runtime runc` and ulimits where crun fails). */
  runArgs: string[];
  /** Whether containers are rootless (the engine runs as a user, not root). */
  rootless: boolean;
}

let found: Promise<ContainerEngine | LilyError> | undefined;

/** Where a program named `name` is on PATH (or in the system directories), if anywhere. */
export function which(name: string, path = Deno.env.get("PATH") ?? ""): string | undefined {
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  const dirs = [...path.split(":"), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Runs an engine command to its end; stdout and stderr as text. */
export async function engineOutput(
  program: string,
  args: string[],
): Promise<{ ok: boolean; code: number; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      ok: out.success,
      code: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } catch (error) {
    return { ok: false, code: -1, stdout: "", stderr: String(error) };
  }
}

/**
 * The container engine of this machine, or the LILY-E0900 error that says why there is none.
 * `podman` first (it needs no daemon), then `docker` if its daemon answers.
 */
export function findEngine(
  getEnv: (name: string) => string | undefined = (n) => Deno.env.get(n),
): Promise<ContainerEngine | LilyError> {
  found ??= detect(getEnv);
  return found;
}

async function detect(getEnv: (name: string) => string | undefined): Promise<
  ContainerEngine | LilyError
> {
  const wanted = getEnv("LILY_CONTAINER_ENGINE");
  const names = wanted ? [wanted] : ["podman", "docker"];
  const tried: string[] = [];
  for (const name of names) {
    const program = which(name, getEnv("PATH") ?? "");
    if (!program) {
      tried.push(`${name}: not installed`);
      continue;
    }
    const kind = program.split("/").pop()!.startsWith("docker") ? "docker" : "podman";
    // docker needs its daemon: asked once. podman needs none, and `podman info` costs seconds
    // on a loaded machine: a podman that cannot run says so when the step starts (LILY-E0905).
    if (kind === "docker") {
      const info = await engineOutput(program, ["info", "--format", "{{.ServerVersion}}"]);
      if (!info.ok) {
        tried.push(`${name}: ${firstLine(info.stderr) || `exit ${info.code}`}`);
        continue;
      }
    }
    const runArgs: string[] = [];
    if (kind === "podman") {
      // crun fails to set up cgroups on some hosts; runc works there (and everywhere crun does).
      const runc = which("runc", getEnv("PATH") ?? "");
      if (runc) runArgs.push("--runtime", runc);
      runArgs.push("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024");
    }
    // podman run by a user is rootless (a remote podman, `CONTAINER_HOST`, is not supported).
    const rootless = kind === "podman" && Deno.uid() !== 0;
    return { program, kind, runArgs, rootless };
  }
  return new LilyError(
    "LILY-E0900",
    `no container engine works on this machine for \`adapter: docker\` (${tried.join("; ")})`,
    {
      hint:
        "install podman (`apt-get install podman`) or start the docker daemon; set LILY_CONTAINER_ENGINE to choose one",
    },
  );
}

function firstLine(text: string): string {
  return text.trim().split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

/** The digest (`sha256:…`, the image ID) of a local image, or null when it is not present. */
export async function imageDigest(engine: ContainerEngine, ref: string): Promise<string | null> {
  const out = await engineOutput(engine.program, [
    "image",
    "inspect",
    "--format",
    "{{.Id}}",
    ref,
  ]);
  if (!out.ok) return null;
  const id = out.stdout.trim().split("\n")[0] ?? "";
  const hex = id.replace(/^sha256:/, "");
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : null;
}

/** Pulls `ref`; the error text (first line) when it cannot. */
export async function pullImage(engine: ContainerEngine, ref: string): Promise<string | null> {
  const out = await engineOutput(engine.program, ["pull", "--quiet", ref]);
  return out.ok ? null : firstLine(out.stderr) || `exit ${out.code}`;
}
