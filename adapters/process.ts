/**
 * The host process adapter: `shell` steps through `sh -c`, `process` steps through their
 * argv, each in its own process group (via `setsid` where it exists) so a timeout or cancel
 * kills grandchildren too: SIGTERM, a grace period, then SIGKILL.
 * @module
 */
import type { Adapter, StepRequest, StepResult } from "./types.ts";

let setsidPath: string | null | undefined;

function findSetsid(): string | null {
  if (setsidPath !== undefined) return setsidPath;
  setsidPath = null;
  if (Deno.build.os === "windows") return null;
  for (const dir of ["/usr/bin", "/bin", "/usr/local/bin"]) {
    try {
      Deno.statSync(`${dir}/setsid`);
      setsidPath = `${dir}/setsid`;
      break;
    } catch {
      // not here
    }
  }
  return setsidPath;
}

/** The command line to spawn for a step. */
export function commandFor(request: StepRequest): string[] {
  const step = request.step;
  if (step.uses === "shell") {
    const run = String(step.with.run ?? "");
    return Deno.build.os === "windows" ? ["cmd", "/d", "/s", "/c", run] : ["sh", "-c", run];
  }
  if (step.uses === "process") return (step.with.argv as string[]).map(String);
  throw new Error(`the process adapter does not run \`${step.uses}\` steps`);
}

/** Creates the host process adapter. */
export function processAdapter(): Adapter {
  return {
    name: "process",
    async run(request: StepRequest): Promise<StepResult> {
      const started = performance.now();
      const argv = commandFor(request);
      const setsid = findSetsid();
      const [program, ...args] = setsid ? [setsid, ...argv] : argv;
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(program, {
          args,
          cwd: request.cwd,
          env: request.env,
          clearEnv: true,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (error) {
        const notFound = error instanceof Deno.errors.NotFound;
        return {
          exitCode: null,
          signal: null,
          durationMs: performance.now() - started,
          error: {
            code: notFound ? "LILY-E0810" : "LILY-E0811",
            message: notFound
              ? `program \`${argv[0]}\` was not found`
              : `cannot start \`${argv[0]}\`: ${(error as Error).message}`,
            hint: notFound ? "install it, or check `with.argv[0]` and the PATH" : undefined,
          },
        };
      }
      const group = setsid !== null;
      const kill = (signal: Deno.Signal) => {
        try {
          if (group) Deno.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // already gone
        }
      };
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        kill("SIGTERM");
        killTimer = setTimeout(() => kill("SIGKILL"), request.graceMs);
      };
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener("abort", onAbort, { once: true });
      // Serialize writes from both streams; await each (back-pressure).
      let chain = Promise.resolve();
      const pump = async (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") => {
        for await (const chunk of stream) {
          chain = chain.then(() => request.write(chunk, name));
          await chain;
        }
      };
      const [status] = await Promise.all([
        child.status,
        pump(child.stdout, "stdout"),
        pump(child.stderr, "stderr"),
      ]);
      request.signal.removeEventListener("abort", onAbort);
      // The group leader is gone; make sure nothing it left behind outlives the step.
      if (group && request.signal.aborted) kill("SIGKILL");
      if (killTimer !== undefined) clearTimeout(killTimer);
      return {
        exitCode: status.signal ? null : status.code,
        signal: status.signal ?? null,
        durationMs: performance.now() - started,
        enforcement: { adapter: "process", isolation: "none", process_group: group },
      };
    },
  };
}
