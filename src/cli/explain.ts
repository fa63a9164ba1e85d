/**
 * `lily explain`: show a lock (or a workflow, composed in memory).
 * @module
 */
import { LilyError } from "../errors.ts";
import { EXPLAIN_FORMATS, type ExplainFormat } from "../lock/explain.ts";
import { assignments, collect, command, parse } from "./_common.ts";
import { isLockPath, lockFrom, refuseComposeFlags } from "./_lock_or_petal.ts";

/** Runs `lily explain`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "explain",
    "Show what a lock will do: the DAG by levels, cache boundaries and what each key\n" +
      "depends on, resources, pins and policy; for a `tool` step, the tool and the argv compose\n" +
      "built. Accepts a lock or a .petal (composed in memory).",
    `  lily explain locks/video.petal.lock.yaml
  lily explain flows/video.petal -p size=720 --profile ci
  lily explain flows/video.petal --format dot | dot -Tsvg > dag.svg
  lily explain flows/video.petal --format mermaid
  lily explain locks/video.petal.lock.yaml --why encode   # why the last run missed the cache`,
  )
    .argument("<lock-or-petal>", "a lock file, or a workflow to compose in memory")
    .option("-f, --format <format>", `output format: ${EXPLAIN_FORMATS.join(", ")}`, "text")
    .option("--why <step>", "explain the cache decision for a step (from the last run)")
    .option("--profile <name>", "profile, when composing a workflow (an error with a lock)")
    .option(
      "-p, --param <key=value>",
      "param, when composing a workflow (repeatable; an error with a lock)",
      collect,
    );
  if (!await parse(program, args)) return 0;
  const [target] = program.args;
  const opts = program.opts<{ format: string; why?: string; profile?: string; param?: string[] }>();
  if (!EXPLAIN_FORMATS.includes(opts.format as ExplainFormat)) {
    throw new LilyError("LILY-E0003", `unknown format \`${opts.format}\``, {
      flag: `--format ${opts.format}`,
      hint: `use one of ${EXPLAIN_FORMATS.join(", ")}`,
    });
  }
  if ((opts.param?.length || opts.profile !== undefined) && await isLockPath(target)) {
    const { readLockFile } = await import("../lock/read.ts");
    refuseComposeFlags(target, opts, await readLockFile(target));
  }
  const { lock, lockPath } = await lockFrom(target, {
    profile: opts.profile,
    params: assignments(opts.param),
  });
  if (opts.why) {
    const step = [...lock.plan.steps, ...lock.plan.on_error].find((s) => s.id === opts.why);
    if (!step) {
      const { didYouMean, listNames } = await import("../errors.ts");
      const ids = [...lock.plan.steps, ...lock.plan.on_error].map((s) => s.id);
      const guess = didYouMean(opts.why, ids);
      throw new LilyError("LILY-E0005", `no step \`${opts.why}\` in this lock`, {
        flag: `--why ${opts.why}`,
        hint: guess ? `did you mean \`${guess}\`?` : `its steps are ${listNames(ids)}`,
      });
    }
    const why = await import("../cache/why.ts");
    console.log(await why.explainWhy(lock, step.id, { lockPath, json: opts.format === "json" }));
    return 0;
  }
  const explain = await import("../lock/explain.ts");
  const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  const text = opts.format === "json"
    ? JSON.stringify(explain.explainJson(lock), null, 2)
    : opts.format === "dot"
    ? explain.explainDot(lock)
    : opts.format === "mermaid"
    ? explain.explainMermaid(lock)
    : explain.explainText(lock, { color });
  console.log(text);
  return 0;
}
