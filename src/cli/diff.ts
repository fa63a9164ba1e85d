/**
 * `lily diff`: semantic diff of two locks, with cache impact.
 * @module
 */
import { assignments, collect, command, parse } from "./_common.ts";
import { lockFrom } from "./_lock_or_petal.ts";

/** Runs `lily diff`. Exit 0 when the locks are the same, 1 when they differ. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "diff",
    "Compare two locks semantically: params, steps (added, removed, changed field by field),\n" +
      "pins and policy — and the cache impact: which steps re-run and why, which may re-run\n" +
      "because an input comes from a re-running step, which stay cached.\n" +
      "Exit status: 0 when semantically identical, 1 when they differ, 2 on error.",
    `  lily diff locks/video.petal.lock.yaml new.lock.yaml
  lily diff old.lock.yaml flows/video.petal -p size=1080     # a lock against a recompose
  lily diff a.lock.yaml b.lock.yaml --json | jq '.cache[] | select(.status=="reruns")'`,
  )
    .argument("<a>", "the old lock (or a workflow to compose)")
    .argument("<b>", "the new lock (or a workflow to compose)")
    .option("--json", "machine-readable output")
    .option("--profile <name>", "profile, when composing a workflow")
    .option("-p, --param <key=value>", "param, when composing a workflow (repeatable)", collect);
  if (!await parse(program, args)) return 0;
  const [a, b] = program.args;
  const opts = program.opts<{ json?: boolean; profile?: string; param?: string[] }>();
  const compose = { profile: opts.profile, params: assignments(opts.param) };
  const { diffLocks, formatDiff } = await import("../lock/diff.ts");
  const left = await lockFrom(a, compose);
  const right = await lockFrom(b, compose);
  const diff = diffLocks(left.lock, right.lock);
  if (opts.json) console.log(JSON.stringify(diff, null, 2));
  else {
    console.log(
      formatDiff(diff, {
        color: Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR"),
        labels: [a, b],
      }),
    );
  }
  return diff.same ? 0 : 1;
}
