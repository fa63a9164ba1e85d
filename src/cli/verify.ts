/**
 * `lily verify`: drift between a lock and its sources.
 * @module
 */
import { command, parse } from "./_common.ts";

/** Runs `lily verify`. Exit 0 in sync, 1 drift, 2 error. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "verify",
    "Check a lock against its sources: every source file still hashes the same, host\n" +
      "variables read by templates are unchanged, and with --recompose, composing again gives\n" +
      "the same plan (the lock's recorded clock is replayed, so `now` is not drift).\n" +
      "Exit status: 0 in sync, 1 drift found (or a warning with --strict), 2 on error.",
    `  lily verify locks/video.petal.lock.yaml
  lily verify locks/video.petal.lock.yaml --recompose        # in CI: the lock is up to date
  lily verify locks/video.petal.lock.yaml --strict           # also fail on non-deterministic values`,
  )
    .argument("<lock>", "the lock file")
    .option("--recompose", "compose the sources again and compare the plans")
    .option(
      "--strict",
      "treat warnings (non-deterministic values, another Lily version) as failures",
    )
    .option("--json", "machine-readable output");
  if (!await parse(program, args)) return 0;
  const [path] = program.args;
  const opts = program.opts<{ recompose?: boolean; strict?: boolean; json?: boolean }>();
  const { readLockFile } = await import("../lock/read.ts");
  const { verifyLock } = await import("../lock/verify.ts");
  const { formatDiff } = await import("../lock/diff.ts");
  const lock = await readLockFile(path);
  const recompose = opts.recompose ? (await import("../pipeline.ts")).recomposeLock : undefined;
  const report = await verifyLock(path, lock, { recompose, strict: opts.strict });
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  for (const f of report.findings) {
    console.log(`${f.severity === "error" ? "drift" : "warning"}: ${f.message}`);
  }
  if (report.diff) console.log("\n" + formatDiff(report.diff, { labels: [path, "recomposed"] }));
  const volatileOnly = report.diff !== undefined &&
    !report.findings.some((f) => f.kind === "plan-changed");
  if (report.ok) {
    if (volatileOnly) {
      console.log(
        `ok: ${path} is in sync with its sources; recomposing differs only in non-deterministic values`,
      );
      return 0;
    }
    console.log(
      `ok: ${path} is in sync with its ${lock.provenance.sources.length} source(s)${
        opts.recompose ? " and recomposes to the same plan" : ""
      }`,
    );
    return 0;
  }
  const drifted = report.findings.some((f) => f.severity === "error");
  console.log(
    drifted
      ? `\n${path} has drifted: run \`lily compose\` again to update it`
      : `\n${path} fails --strict: it holds non-deterministic values or was written by another Lily`,
  );
  return 1;
}
