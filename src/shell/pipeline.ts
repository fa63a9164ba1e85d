/**
 * `a | b | c`: every stage at once, each in a subshell, joined by pipes with back-pressure.
 * A stage that ends closes its pipes, so the stage before it gets a broken pipe rather than
 * waiting forever; a denial in one stage ends the others.
 * @module
 */
import type { Command, Pipeline } from "./ast.ts";
import { ownedStream, pipeSink } from "./sinks.ts";
import type { Input, Io } from "./types.ts";

/** What a pipeline needs from the interpreter. */
export interface PipelineHost {
  /** Runs one stage in a subshell of its own; its status. */
  stage(command: Command, io: Io): Promise<number>;
  /** Kills every program the script started. */
  killAll(): void;
  readonly pipefail: boolean;
}

/**
 * Runs a pipeline of two or more commands: its status is the last stage's, or with pipefail
 * the last non-zero one.
 */
export async function runPipeline(p: Pipeline, io: Io, host: PipelineHost): Promise<number> {
  const n = p.commands.length;
  const pipes = Array.from({ length: n - 1 }, () => new TransformStream<Uint8Array>());
  const sinks = pipes.map((pipe) => pipeSink(pipe.writable));
  const sources = pipes.map((pipe) => ownedStream(pipe.readable));
  const stages = p.commands.map(async (command, i) => {
    const out = i < n - 1 ? sinks[i] : undefined;
    const stdin: Input = i === 0 ? io.stdin : { kind: "stream", stream: sources[i - 1].stream };
    try {
      return await host.stage(command, {
        stdin,
        stdout: out ?? io.stdout,
        stderr: out && p.stderrToo[i] ? out : io.stderr,
      });
    } finally {
      // A reader that stopped early: the writer before it gets a broken pipe (also when a
      // built-in such as `read` still holds the stream), and never waits on it again.
      if (i > 0) await sources[i - 1].stop();
      await out?.close();
    }
  });
  let statuses: number[];
  try {
    statuses = await Promise.all(stages);
  } catch (error) {
    // A denial in one stage ends the others (and the script) now.
    host.killAll();
    await Promise.allSettled(stages);
    throw error;
  }
  if (host.pipefail) {
    for (let i = statuses.length - 1; i >= 0; i--) if (statuses[i] !== 0) return statuses[i];
    return 0;
  }
  return statuses[statuses.length - 1];
}
