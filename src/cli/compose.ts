/**
 * `lily compose`: sources → lock file(s).
 * @module
 */
import { assignments, collect, command, parse, shown, sweeps, writeFileAtomic } from "./_common.ts";

/** Runs `lily compose`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "compose",
    "Compose a workflow (and overlays) into a lock file: validate, render templates once, " +
      "check the DAG and typed I/O, compile conditions, form cache keys.\n" +
      "The first source is the workflow; further sources are overlays, applied in order.\n" +
      "`uses: include` steps are replaced by their fragments' steps (ids `<include>.<step>`).\n" +
      "Compose only reads files: allowed binaries are pinned by path and sha256, never started\n" +
      "(`lily sync` takes their versions, sandboxed). Warnings (an untrusted .lilyrc ignored, a\n" +
      "step reading a file it does not declare) go to stderr and do not change the exit status.",
    `  lily compose flows/video.petal                     # → locks/video.petal.lock.yaml
  lily compose flows/video.petal -o video.lock.yaml --profile ci
  lily compose flows/video.petal -p size=720 --overlay overlays/hq.yaml
  lily compose flows/video.petal -m size=480,720 -m fmt=mp4,webm   # 4 locks, one per point
  lily compose flows/video.petal -o -                 # print the lock to stdout`,
  )
    .argument("<sources...>", "workflow file, then overlay files")
    .option("-o, --output <path>", "lock file to write (a directory with -m; `-` for stdout)")
    .option("--profile <name>", "profile from profiles/<name>.yaml")
    .option("--overlay <path>", "overlay to apply (repeatable)", collect)
    .option(
      "-p, --param <key=value>",
      "set a param, typed by its declaration (repeatable)",
      collect,
    )
    .option(
      "-m, --multirun <key=a,b>",
      "sweep a param: one lock per combination (repeatable)",
      collect,
    )
    .option("-q, --quiet", "print nothing but errors");
  if (!await parse(program, args)) return 0;
  const sources = program.args;
  const opts = program.opts<{
    output?: string;
    profile?: string;
    overlay?: string[];
    param?: string[];
    multirun?: string[];
    quiet?: boolean;
  }>();
  const { composeSources } = await import("../pipeline.ts");
  const points = await composeSources(sources, {
    output: opts.output,
    profile: opts.profile,
    overlays: opts.overlay,
    params: assignments(opts.param),
    sweep: sweeps(opts.multirun),
  });
  const { printWarnings } = await import("./_warnings.ts");
  await printWarnings(points.flatMap((p) => p.warnings));
  if (opts.output === "-") {
    for (const point of points) await Deno.stdout.write(new TextEncoder().encode(point.text));
    return 0;
  }
  for (const point of points) {
    // Model pins are learnt at run time: the lock being replaced keeps its (docs/llm.md).
    if ([...point.lock.plan.steps, ...point.lock.plan.on_error].some((s) => s.uses === "llm")) {
      const { readLockFile } = await import("../lock/read.ts");
      const previous = await readLockFile(point.outputPath).catch(() => undefined);
      const { keepModelPins } = await import("../llm/pins.ts");
      if (previous && keepModelPins(previous, point.lock)) {
        point.text = (await import("../lock/build.ts")).lockText(point.lock);
      }
    }
    await writeFileAtomic(point.outputPath, point.text);
    if (!opts.quiet) {
      const steps = point.lock.plan.steps.length;
      console.log(
        `composed ${shown(point.outputPath)}  (${steps} step${
          steps === 1 ? "" : "s"
        }, ${point.lock.plan.levels.length} level${
          point.lock.plan.levels.length === 1 ? "" : "s"
        }, ${point.lock.spec_hash.slice(0, 19)})`,
      );
    }
  }
  return 0;
}
