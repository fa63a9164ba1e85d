/**
 * The docker adapter (`adapter: docker`): runs a `shell` or `python` step in a container of
 * its pinned image, with podman or docker (src/steps/docker_engine.ts). The container gets
 * the spec's defaults (src/steps/docker_argv.ts: no capabilities, `no-new-privileges`,
 * default seccomp, read-only root, a non-root user, no network unless allowed, only the
 * step's roots) and, for a domain list, Lily's proxy (src/steps/docker_proxy.ts). A timeout or
 * cancel stops and removes the container (`rm -f`): nothing of it survives the attempt.
 * @module
 */
import { LilyError } from "../src/errors.ts";
import { containerUser, dockerRunArgs, scratchOf } from "../src/steps/docker_argv.ts";
import { type ContainerEngine, engineOutput, findEngine } from "../src/steps/docker_engine.ts";
import type { DockerProxy } from "../src/steps/docker_proxy.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** Host variables the engine client itself needs (its own configuration and runtime dirs). */
const ENGINE_ENV = ["PATH", "HOME", "USER", "LOGNAME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"];
/** Names that steer the engine client: never taken from a step's environment. */
const STEERS_ENGINE = /^(DOCKER_|CONTAINER_|CONTAINERS_|PODMAN_|BUILDAH_|REGISTRY_|XDG_|STORAGE_)/;
/** How much of the engine's stderr is kept to explain an exit 125 (the engine's own failure). */
const STDERR_TAIL = 4096;

let containers = 0;

/** Creates the docker adapter for one run. */
export async function dockerAdapter(options: {
  projectRoot: string;
  getHostEnv: (name: string) => string | undefined;
}): Promise<Adapter> {
  const engine = await findEngine(options.getHostEnv);
  const user = containerUser(options.projectRoot);
  const proxies = new Map<string, Promise<DockerProxy>>();
  const proxyFor = (list: string[], scratch: string) => {
    const key = JSON.stringify(list);
    let proxy = proxies.get(key);
    if (!proxy) {
      proxy = import("../src/steps/docker_proxy.ts").then((m) => m.startDockerProxy(list, scratch));
      proxies.set(key, proxy);
    }
    return proxy;
  };
  return {
    name: "docker",
    async run(request: StepRequest): Promise<StepResult> {
      if (engine instanceof LilyError) {
        return {
          exitCode: null,
          signal: null,
          durationMs: 0,
          error: { code: engine.code, message: engine.message, hint: engine.hint },
        };
      }
      let proxy: DockerProxy | undefined;
      const list = request.step.resources.network;
      const scratch = scratchOf(request.spec.env.LILY_OUTPUT);
      if (Array.isArray(list)) {
        try {
          proxy = await proxyFor(list, scratch ?? options.projectRoot);
        } catch (error) {
          return {
            exitCode: null,
            signal: null,
            durationMs: 0,
            error: {
              code: "LILY-E0906",
              message:
                `the domain list of docker step \`${request.step.id}\` cannot be enforced here: ${
                  (error as Error).message
                }`,
              hint:
                "run Lily as root (the proxy's network namespace needs it), or allow the network (`network: true`)",
            },
          };
        }
      }
      return await runContainer(engine, request, user, proxy);
    },
    async close() {
      for (const proxy of proxies.values()) await (await proxy.catch(() => undefined))?.close();
    },
  };
}

async function runContainer(
  engine: ContainerEngine,
  request: StepRequest,
  user: string,
  proxy: DockerProxy | undefined,
): Promise<StepResult> {
  const { spec, step } = request;
  const started = performance.now();
  const outputFile = spec.env.LILY_OUTPUT;
  if (outputFile) {
    // The container's user (not Lily's) writes it: created here, writable by that user only
    // through this one bind mount (the scratch directory around it is not mounted).
    const file = await Deno.open(outputFile, { create: true, append: true });
    file.close();
    await Deno.chmod(outputFile, 0o666);
  }
  const name = `lily-${Deno.pid}-${++containers}-${step.id.replace(/[^A-Za-z0-9_.-]/g, "_")}`
    .slice(0, 120);
  const env = { ...spec.env, ...(proxy ? proxy.env : {}) };
  let built: ReturnType<typeof dockerRunArgs>;
  try {
    built = dockerRunArgs({
      engine,
      step,
      image: spec.image ?? String(step.with.image ?? ""),
      command: spec.argv ?? [],
      name,
      cwd: spec.cwd,
      env: Object.fromEntries(Object.entries(env).filter(([k]) => !STEERS_ENGINE.test(k))),
      readRoots: spec.readRoots,
      writeRoots: spec.writeRoots,
      denyRoots: spec.denyRoots,
      scratch: scratchOf(outputFile),
      outputFile,
      user,
      network: proxy ? proxy.network : step.resources.network === true ? "default" : "none",
    });
  } catch (error) {
    // A lock edited by hand (compose refuses these first): the step fails, the run goes on.
    if (!(error instanceof LilyError)) throw error;
    return {
      exitCode: null,
      signal: null,
      durationMs: 0,
      error: { code: error.code, message: error.message, hint: error.hint },
    };
  }
  const { args, env: containerEnv } = built;
  const clientEnv: Record<string, string> = {};
  for (const key of ENGINE_ENV) {
    const value = Deno.env.get(key);
    if (value !== undefined) clientEnv[key] = value;
  }
  Object.assign(clientEnv, containerEnv);
  proxy?.takeDenials();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(engine.program, {
      args,
      env: clientEnv,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    return {
      exitCode: null,
      signal: null,
      durationMs: performance.now() - started,
      error: { code: "LILY-E0900", message: `${engine.program}: ${(error as Error).message}` },
    };
  }
  let stderrTail = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>, which: "stdout" | "stderr") => {
    for await (const chunk of stream) {
      if (which === "stderr") stderrTail = (stderrTail + decoder.decode(chunk)).slice(-STDERR_TAIL);
      await request.write(chunk, which);
    }
  };
  let killedWith: string | null = null;
  const stop = async () => {
    killedWith = "SIGKILL";
    // Stops (TERM, then KILL after the grace) and removes the container, whatever the client does.
    const grace = String(Math.max(0, Math.ceil(request.graceMs / 1000)));
    await engineOutput(engine.program, ["rm", "-f", "-t", grace, name]);
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const onAbort = () => void stop();
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener("abort", onAbort, { once: true });
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, "stdout"),
    pump(child.stderr, "stderr"),
  ]);
  request.signal.removeEventListener("abort", onAbort);
  if (killedWith) {
    // The client may end before the engine has removed the container: make sure it is gone.
    await engineOutput(engine.program, ["rm", "-f", "-t", "0", name]);
  }
  const durationMs = performance.now() - started;
  const enforcement = enforcementOf(
    engine,
    step.resources.network,
    proxy,
    spec.image?.startsWith("sha256:") ?? false,
  );
  const denials = proxy?.takeDenials() ?? [];
  if (denials.length) {
    return {
      exitCode: status.code,
      signal: null,
      durationMs,
      enforcement,
      denied: {
        kind: "net",
        target: denials[0],
        message: `connecting to \`${denials[0]}\` is not allowed by the step's policy`,
      },
    };
  }
  if (killedWith) return { exitCode: null, signal: killedWith, durationMs, enforcement };
  if (status.code === 125) {
    const line = stderrTail.trim().split("\n").pop() ?? "";
    const missing = /image not known|no such image|unable to find image|not found.*image/i.test(
      stderrTail,
    );
    return {
      exitCode: null,
      signal: null,
      durationMs,
      enforcement,
      error: missing
        ? {
          code: "LILY-E0904",
          message: `the image of docker step \`${step.id}\` (\`${
            String(step.with.image)
          }\`, ${spec.image}) is not on this machine`,
          hint: "run `lily sync LOCK` (it pulls the image and records its digest)",
        }
        : {
          code: "LILY-E0905",
          message: `${engine.kind} could not start docker step \`${step.id}\`: ${line}`,
        },
    };
  }
  if (
    status.code === 127 &&
    /executable file not found|OCI runtime attempted to invoke a command that was not found/.test(
      stderrTail,
    )
  ) {
    // The image lacks the program (a python step on an image without python3; a tool whose
    // binary the image does not have): the runtime's message names it; say which step and image.
    const program = spec.argv?.[0] ?? "/bin/sh";
    return {
      exitCode: null,
      signal: null,
      durationMs,
      enforcement,
      error: {
        code: "LILY-E0905",
        message: `docker step \`${step.id}\`: the image \`${
          String(step.with.image)
        }\` has no \`${program}\` on its PATH`,
        hint: step.uses === "python"
          ? "use an image that has Python (or name its interpreter with `with: {python: …}`)"
          : "use an image that has the program, or name its full path",
      },
    };
  }
  return { exitCode: status.code, signal: status.signal, durationMs, enforcement };
}

/** What the container had enforced (the manifest records it per step). */
function enforcementOf(
  engine: ContainerEngine,
  network: boolean | string[],
  proxy: DockerProxy | undefined,
  pinned: boolean,
): Record<string, unknown> {
  const wanted = network === true ? "on" : network === false ? "off" : `only ${network.join(", ")}`;
  return {
    sandbox: `container (${engine.kind}${engine.rootless ? ", rootless" : ""})`,
    network: wanted,
    enforced: true,
    filesystem: "the container sees its image (read-only) and the step's roots only",
    mechanism: `${engine.kind} run: --cap-drop=all, no-new-privileges, default seccomp, ` +
      `--read-only, non-root --user, --network ${
        proxy ? "ns (Lily's proxy only)" : network === true ? "default" : "none"
      }`,
    holds: {
      programs: "the image's programs, kept to the image and the step's roots",
      processes: "own PID namespace: the container is removed when the attempt ends",
      terminal: "no terminal (stdin closed)",
      descriptors: "stdin (closed), stdout and stderr only",
      identity: engine.rootless
        ? "the calling user's uid (rootless, --userns=keep-id), no capabilities"
        : "the project root's owner (nobody for a root-owned project), no capabilities",
      lily_state: "covered by an empty tmpfs",
      scratch: "only the attempt's $LILY_OUTPUT file is mounted",
      pins: pinned
        ? "the image runs by its pinned digest"
        : "the image is not pinned yet (`lily sync` pins it): it runs by its reference",
      unix_sockets: "only sockets inside the roots (nothing else is mounted)",
    },
    not_held: [],
    tree_kill: "container removed",
  };
}
