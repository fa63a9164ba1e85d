/**
 * The host process adapter: `shell` steps through `sh -c`, `process` steps through their
 * argv. A timeout or cancel signals the whole process tree (process_tree.ts): SIGTERM, a
 * grace period, then SIGKILL — grandchildren included.
 * @module
 */
import { processTree, signalAll } from "./process_tree.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** The command line to spawn for a step. */
export function commandFor(request: StepRequest): string[] {
  const step = request.step;
  if (step.uses === "shell") {
    const run = String(step.with.run ?? "");
    if (Deno.build.os === "windows") return ["cmd", "/d", "/s", "/c", run];
    return ["sh", "-c", run];
  }
  if (step.uses === "process") {
    const argv = (step.with.argv as string[]).map(String);
    // A program started by name runs its pinned absolute path, whatever PATH says.
    const pinned = request.pins?.[argv[0]];
    return pinned ? [pinned, ...argv.slice(1)] : argv;
  }
  throw new Error(`the process adapter does not run \`${step.uses}\` steps`);
}

/** Creates the host process adapter. */
export function processAdapter(): Adapter {
  return {
    name: "process",
    async run(request: StepRequest): Promise<StepResult> {
      const started = performance.now();
      const argv = [...(request.wrapper ?? []), ...commandFor(request)];
      const [program, ...args] = argv;
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
      const doomed = new Set<number>();
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        for (const pid of processTree(child.pid)) doomed.add(pid);
        signalAll(doomed, "SIGTERM");
        killTimer = setTimeout(() => {
          for (const pid of processTree(child.pid)) doomed.add(pid);
          signalAll(doomed, "SIGKILL");
        }, request.graceMs);
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
      if (killTimer !== undefined) {
        // The step is gone; make sure nothing it left behind outlives it.
        clearTimeout(killTimer);
        signalAll(doomed, "SIGKILL");
      }
      return {
        exitCode: status.signal ? null : status.code,
        signal: status.signal ?? null,
        durationMs: performance.now() - started,
        enforcement: {
          adapter: "process",
          isolation: "none",
          tree_kill: Deno.build.os === "linux" ? "proc" : "child-only",
        },
      };
    },
  };
}
