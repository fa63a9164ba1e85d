/**
 * The test task: fmt, lint and type checks, then every test and every `@example` (doc tests),
 * then one plain closing line
 * `N passed, N failed` (each static check counts as one test). Exit status 1 on any failure.
 *
 * Usage: deno task test [-- <deno test args, e.g. a file or --filter NAME>]
 */
// Tests get a user cache of their own (compiled locks, warm markers): what an earlier Lily
// left in ~/.cache/lily must not decide a test's outcome. Deno's own cache stays shared.
const denoDir = Deno.env.get("DENO_DIR") ?? JSON.parse(
  new TextDecoder().decode(
    new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" }).outputSync()
      .stdout,
  ),
).denoDir;
const userCache = await Deno.makeTempDir({ prefix: "lily-test-cache-" });
const env = {
  ...Deno.env.toObject(),
  RUST_BACKTRACE: "0",
  NO_COLOR: "1",
  DENO_DIR: denoDir,
  XDG_CACHE_HOME: userCache,
};
const FAILED_MARK = "<<failed>>";
let passed = 0;
let failed = 0;
let ignored = 0;

async function step(name: string, args: string[]): Promise<string> {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${out.success ? "ok  " : "FAIL"} ${name} (${seconds}s)`);
  if (!out.success && name !== "deno test") console.log(text.trimEnd());
  return out.success ? text : FAILED_MARK + text;
}

// `deno task test -- x_test.ts` passes the `--` on: without this, `deno test -- x` would
// run every test (and hand `x` to them as an argument).
const extra = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
const quick = extra.length > 0;
if (!quick) {
  for (
    const [name, args] of [
      ["deno fmt --check", ["fmt", "--check"]],
      ["deno lint", ["lint"]],
      ["deno check", ["check", "mod.ts", "src/", "adapters/", "scripts/", "tests/"]],
    ] as const
  ) {
    const result = await step(name, [...args]);
    if (result.startsWith(FAILED_MARK)) failed++;
    else passed++;
  }
}

const testOutput = await step("deno test", [
  "test",
  "-A",
  "--no-check",
  ...(quick ? extra : ["tests/"]),
]);
const text = testOutput.slice(testOutput.startsWith(FAILED_MARK) ? FAILED_MARK.length : 0);
// deno test's summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)"
const summary = [
  ...text.matchAll(
    /(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/g,
  ),
].pop();
if (summary) {
  passed += Number(summary[2]);
  failed += Number(summary[3]);
  ignored += Number(summary[4] ?? 0);
} else {
  failed++;
}
if (testOutput.startsWith(FAILED_MARK) || (summary && Number(summary[3]) > 0) || !summary) {
  // Show failures (deno prints them after "ERRORS"/"FAILURES"); keep the tail readable.
  const index = text.indexOf("ERRORS");
  console.log((index >= 0 ? text.slice(index) : text).trimEnd().split("\n").slice(-200).join("\n"));
  if (summary && Number(summary[3]) === 0 && testOutput.startsWith(FAILED_MARK)) failed++;
}
if (!quick) {
  // The `@example` blocks of every module, run with real assertions (tests/_assert.ts): an
  // example that no longer holds fails the task.
  const docOutput = await step("deno test --doc", [
    "test",
    "-A",
    "--doc",
    "--permit-no-files",
    "src/",
    "adapters/",
    "mod.ts",
  ]);
  const docText = docOutput.slice(docOutput.startsWith(FAILED_MARK) ? FAILED_MARK.length : 0);
  const docSummary = [
    ...docText.matchAll(/(ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/g),
  ].pop();
  if (docSummary) {
    passed += Number(docSummary[2]);
    failed += Number(docSummary[3]);
  }
  if (!docSummary || docOutput.startsWith(FAILED_MARK)) {
    if (!docSummary || Number(docSummary[3]) === 0) failed++;
    const index = docText.indexOf("ERRORS");
    console.log(
      (index >= 0 ? docText.slice(index) : docText).trimEnd().split("\n").slice(-100).join("\n"),
    );
  }
}
if (ignored > 0) console.log(`(${ignored} ignored: see the SKIP lines above for why)`);
console.log(`${passed} passed, ${failed} failed${ignored ? `, ${ignored} skipped` : ""}`);
await Deno.remove(userCache, { recursive: true }).catch(() => {});
Deno.exit(failed > 0 ? 1 : 0);
