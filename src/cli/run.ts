/**
 * `lily run`: run a lock, or a workflow composed in memory.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { LilyError, LilyErrors } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import type { Manifest } from "../schema/events.ts";
import { assignments, collect, command, parse, shown, sweeps } from "./_common.ts";
import { isLockPath, refuseComposeFlags } from "./_lock_or_petal.ts";
import { cassetteModeOption } from "../llm/cassette_mode.ts";

/** Exit status of a cancelled run (128 + SIGINT). */
export const EXIT_CANCELLED = 130;

/** Runs `lily run`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "run",
    // One paragraph: the help formatter wraps it to the terminal's width.
    "Run a lock as a parallel DAG with a content-addressed cache. Given a .petal, compose it " +
      "in memory first. Every run writes .lily/runs/<run-id>/ (events.jsonl, manifest.json, " +
      "logs/). Exit status: 0 success, 1 a step failed, 2 user error, 130 cancelled (Ctrl-C).",
    `  lily run locks/video.petal.lock.yaml
  lily run flows/video.petal -p size=720 --profile ci      # compose in memory, then run
  lily run locks/video.petal.lock.yaml --locked            # fail if the sources changed (CI)
  lily run locks/video.petal.lock.yaml -j 4 --verbose      # say why each step missed the cache
  lily run locks/video.petal.lock.yaml --only thumbnails   # a step and what it needs
  lily run locks/video.petal.lock.yaml --from transcode    # re-run a step and everything after
  lily run locks/video.petal.lock.yaml --dry-run           # what would run, what is cached
  lily run locks/video.petal.lock.yaml --events - --quiet  # JSON lines on stdout
  lily run flows/release.petal --approve publish           # answer a human gate (CI, no TTY)
  lily run flows/release.petal --approve target=staging --answers answers.yaml`,
  )
    .argument(
      "<locks-or-petals...>",
      "lock files, or workflows to compose in memory; each runs in turn, one summary at the end",
    )
    .option(
      "--locked",
      "assert that composing the sources again gives this lock, and that python packages match its pins; fail if not",
    )
    .option(
      "--frozen",
      "run the lock as it is, checking nothing (with a .petal: its existing lock)",
    )
    .option("-j, --jobs <n>", "steps run at once (default: CPU count)")
    .option("--profile <name>", "profile, when composing a workflow (an error with a lock)")
    .option(
      "-p, --param <key=value>",
      "param, when composing a workflow (repeatable; an error with a lock)",
      collect,
    )
    .option(
      "-m, --multirun <key=a,b>",
      "sweep a param of a workflow: compose and run each point (repeatable)",
      collect,
    )
    .option(
      "--only <steps>",
      "run only these steps and the steps they need (`a,b`; one foreach item: `id@key`; repeatable)",
      collect,
    )
    .option(
      "--from <step>",
      "re-run this step and everything downstream of it (ignores their cache)",
    )
    .option("--dry-run", "show what would run and what is cached, run nothing")
    .option(
      "--continue <mode>",
      "after a failure: never (cancel the rest), dependencies-successful, always",
      "never",
    )
    .option("--events <path>", "also write events to PATH (`-`: stdout)")
    .option(
      "--isolation <mode>",
      "sandbox: auto (Deno permissions + OS isolation where possible), none (run steps in Lily's process, unenforced), strict (refuse what cannot be enforced)",
      "auto",
    )
    .option(
      "--approve <id[=value]>",
      "answer the human gate ID without asking: bare, a bool gate's yes; `ID=VALUE` for any gate (repeatable)",
      collect,
    )
    .option(
      "--answers <file>",
      "answers for human gates: a YAML or JSON map of gate id → value (--approve wins)",
    )
    .option(
      "--llm-concurrency <n>",
      "llm steps: calls in flight at once per provider endpoint (default 4; docs/llm.md)",
    )
    .option(
      "--cassettes <mode>",
      "llm steps record/replay their HTTP calls in cassettes/: once, new_episodes, none, all (default: none when CI=true, else no cassette; docs/cassettes.md)",
    )
    .option("-q, --quiet", "print only failures and the summary")
    .option("-v, --verbose", "print cache decisions and attempts")
    .option("--json", "print the manifest as JSON at the end (nothing else)");
  if (!await parse(program, args)) return 0;
  const targets = program.args;
  const opts = program.opts<{
    locked?: boolean;
    frozen?: boolean;
    jobs?: string;
    profile?: string;
    param?: string[];
    multirun?: string[];
    only?: string[];
    from?: string;
    dryRun?: boolean;
    continue: string;
    events?: string;
    isolation: string;
    cassettes?: string;
    quiet?: boolean;
    verbose?: boolean;
    json?: boolean;
    approve?: string[];
    answers?: string;
    llmConcurrency?: string;
  }>();
  if (opts.json && opts.events === "-") {
    throw new LilyError("LILY-E0830", "--json and --events - both write to stdout", {
      flag: "--json --events -",
      hint:
        "use --events - for a JSON line per event (the last is run.finished), or --json for the manifest",
    });
  }
  if (opts.locked && opts.frozen) {
    throw new LilyError("LILY-E0003", "--locked and --frozen contradict each other", {
      flag: "--locked --frozen",
      hint: "--locked checks the lock against its sources; --frozen checks nothing",
    });
  }
  if (!["never", "dependencies-successful", "always"].includes(opts.continue)) {
    throw new LilyError("LILY-E0003", `unknown --continue mode \`${opts.continue}\``, {
      flag: `--continue ${opts.continue}`,
      hint: "use never, dependencies-successful or always",
    });
  }
  if (!["auto", "none", "strict"].includes(opts.isolation)) {
    throw new LilyError("LILY-E0003", `unknown --isolation mode \`${opts.isolation}\``, {
      flag: `--isolation ${opts.isolation}`,
      hint: "use auto, none or strict",
    });
  }
  // Options only one step kind reads, passed through the engine to its kind runner.
  const kindOptions: Record<string, unknown> = {};
  const cassettes = cassetteModeOption(opts.cassettes, Deno.env.get("CI"));
  if (cassettes) kindOptions.cassettes = cassettes;
  const jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
    throw new LilyError("LILY-E0003", `-j needs a positive integer, not \`${opts.jobs}\``, {
      flag: `-j ${opts.jobs}`,
    });
  }
  const llmConcurrency = opts.llmConcurrency === undefined
    ? undefined
    : Number(opts.llmConcurrency);
  if (llmConcurrency !== undefined && (!Number.isInteger(llmConcurrency) || llmConcurrency < 1)) {
    throw new LilyError(
      "LILY-E0003",
      `--llm-concurrency needs a positive integer, not \`${opts.llmConcurrency}\``,
      { flag: `--llm-concurrency ${opts.llmConcurrency}`, hint: "e.g. `--llm-concurrency 2`" },
    );
  }
  // Every target is loaded (composed, checked) before the first runs: a typo in the third
  // lock is an error now, not after two runs.
  const runs: Target[] = [];
  for (const target of targets) runs.push(...await loadTargets(target, opts));
  // Answers to human gates are checked against the gates before anything runs.
  const answers = opts.approve?.length || opts.answers !== undefined
    ? await (await import("../steps/human_answers.ts")).readGivenAnswers(
      runs.map((r) => r.lock),
      { approve: opts.approve, answersFile: opts.answers },
    )
    : undefined;
  // With no terminal to ask on, every gate sure to run needs its answer now: all are listed
  // at once, before anything runs (a gate under `if:` fails only if reached).
  const promptOut = opts.events === "-" || opts.json ? Deno.stderr : Deno.stdout;
  if (!opts.dryRun && !(Deno.stdin.isTerminal() && promptOut.isTerminal())) {
    const { unansweredGates } = await import("../steps/human_answers.ts");
    const { selectSteps } = await import("../run/select.ts");
    const picked = opts.only?.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
    const selected = (lock: Target["lock"]) => {
      try {
        return selectSteps(lock, picked);
      } catch {
        return new Set<string>(); // an unknown `--only` name: the run reports it
      }
    };
    const missing = unansweredGates(
      runs.map((r) => ({ lock: r.lock, selected: selected(r.lock) })),
      answers,
    );
    if (missing.length) throw new LilyErrors(missing);
  }
  const { runLock } = await import("../run/engine.ts");
  const { consoleView } = await import("../run/console.ts");
  const controller = new AbortController();
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      if (!opts.json) console.error("\ncancelling (Ctrl-C again to stop at once)…");
      controller.abort();
    } else {
      // The engine records the run as cancelled and removes its scratch directory
      // synchronously, inside abort().
      stop.abort();
      Deno.exit(EXIT_CANCELLED);
    }
  };
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGINT", onSigint);
  // With `--events -`, stdout carries only JSON lines: every human line goes to stderr.
  const eventsOnStdout = opts.events === "-";
  const human = eventsOnStdout ? console.error : console.log;
  const tty = eventsOnStdout ? Deno.stderr.isTerminal() : Deno.stdout.isTerminal();
  const only = opts.only?.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  const manifests: { label: string; manifest: Manifest }[] = [];
  try {
    for (const target of runs) {
      if (controller.signal.aborted) break;
      if (runs.length > 1 && !opts.json) human(`── ${target.label}`);
      let runDir = "";
      const view = consoleView({
        total: target.lock.plan.steps.length,
        verbose: !!opts.verbose,
        quiet: !!opts.quiet,
        stream: eventsOnStdout ? "stderr" : "stdout",
        tty,
        color: tty && !Deno.env.get("NO_COLOR"),
        logTail: (step, attempt) => {
          try {
            const text = Deno.readTextFileSync(
              join(runDir, "logs", `${step.replace(/[^A-Za-z0-9_.-]/g, "_")}.${attempt}.log`),
            );
            return text.trimEnd().split("\n").slice(-20).join("\n");
          } catch {
            return "";
          }
        },
      });
      const result = await runLock(target.lock, {
        projectRoot: target.projectRoot,
        lockPath: target.lockPath,
        jobs: jobs ?? (await projectJobs(target.projectRoot)),
        only,
        from: opts.from,
        dryRun: opts.dryRun,
        continueMode: opts.continue as "never",
        events: opts.events,
        isolation: opts.isolation as "auto",
        signal: controller.signal,
        stop: stop.signal,
        // The human kind runner (adapters/human.ts): the answers given, and the terminal a
        // gate asks on (stderr when stdout carries JSON), with the console held meanwhile.
        kindOptions: {
          answers,
          terminal: { stream: eventsOnStdout || opts.json ? "stderr" : "stdout", hold: view.hold },
          locked: !!opts.locked,
          frozen: !!opts.frozen,
          ...(llmConcurrency !== undefined ? { llm_concurrency: llmConcurrency } : {}),
          ...kindOptions,
        },
        onEvent: (e) => {
          if (!runDir && e.type === "run.started") {
            runDir = join(target.projectRoot, ".lily", "runs", e.run);
          }
          if (!opts.json) view.onEvent(e);
        },
        onOutput: (step, text) => {
          if (!opts.json) view.onOutput(step, text);
        },
      }).finally(() => view.end());
      if (opts.events && opts.events !== "-") {
        // One file for all the runs of this command (each event names its run).
        const text = await Deno.readTextFile(join(result.runDir, "events.jsonl")).catch(() => "");
        await Deno.writeTextFile(opts.events, text, { append: manifests.length > 0 });
      }
      manifests.push({ label: target.label, manifest: result.manifest });
      // Cancelled without a signal reaching Lily (Ctrl-C typed at a human gate's prompt, where
      // the terminal is raw): the remaining runs do not start either.
      if (result.manifest.status === "cancelled") controller.abort();
      const m = result.manifest;
      if (opts.json) continue;
      if (opts.dryRun) {
        for (const line of (m as unknown as { dry_run: string[] }).dry_run) human(line);
      } else human(summaryLine(m));
    }
  } finally {
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGINT", onSigint);
  }
  if (opts.json) {
    const all = manifests.map((r) => r.manifest);
    console.log(JSON.stringify(all.length === 1 ? all[0] : all, null, 2));
  } else if (manifests.length > 1 && !opts.dryRun) human("\n" + summaryTable(manifests));
  const statuses = manifests.map((r) => r.manifest.status);
  if (controller.signal.aborted || statuses.includes("cancelled")) return EXIT_CANCELLED;
  return statuses.every((s) => s === "succeeded") ? 0 : 1;
}

/** One lock to run, and how the summary names it. */
interface Target {
  lock: LockFile;
  lockPath?: string;
  projectRoot: string;
  label: string;
}

function summaryLine(m: Manifest): string {
  const c = m.counts;
  const secs = (m.duration_ms / 1000).toFixed(1);
  return `${m.status}: ${c.succeeded ?? 0} ran, ${c.cached ?? 0} cached, ${
    c.skipped ?? 0
  } skipped, ${c.failed ?? 0} failed${
    c.cancelled ? `, ${c.cancelled} cancelled` : ""
  } in ${secs}s — .lily/runs/${m.run_id}/`;
}

/** One row per run: what ran, how it ended, where its record is. */
function summaryTable(rows: { label: string; manifest: Manifest }[]): string {
  const header = [
    "run",
    "status",
    "ran",
    "cached",
    "skipped",
    "failed",
    "cancelled",
    "time",
    "record",
  ];
  const body = rows.map(({ label, manifest: m }) => [
    label,
    m.status,
    String(m.counts.succeeded ?? 0),
    String(m.counts.cached ?? 0),
    String(m.counts.skipped ?? 0),
    String(m.counts.failed ?? 0),
    String(m.counts.cancelled ?? 0),
    `${(m.duration_ms / 1000).toFixed(1)}s`,
    `.lily/runs/${m.run_id}/`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [header, ...body].map((r) =>
    r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()
  )
    .join("\n");
}

async function projectJobs(root: string): Promise<number | undefined> {
  // Only a trusted .lilyrc counts (docs/security.md#which-lilyrc-is-trusted).
  const { untrustedReason } = await import("../compose/project.ts");
  if (untrustedReason(root) || untrustedReason(join(root, ".lilyrc"))) return undefined;
  try {
    const text = await Deno.readTextFile(join(root, ".lilyrc"));
    const m = /^jobs:\s*(\d+)\s*$/m.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function loadTargets(
  target: string,
  opts: {
    locked?: boolean;
    frozen?: boolean;
    profile?: string;
    param?: string[];
    multirun?: string[];
  },
): Promise<Target[]> {
  const { compiledLockDir, readLockFile } = await import("../lock/read.ts");
  if (await isLockPath(target)) {
    if (opts.multirun?.length) {
      throw new LilyError(
        "LILY-E0831",
        `-m sweeps a workflow's params, and \`${target}\` is a lock`,
        {
          flag: `-m ${opts.multirun[0]}`,
          hint: `run a workflow (\`lily run flows/x.petal -m ${
            opts.multirun[0]
          }\`), or the swept locks \`lily compose -m\` wrote`,
        },
      );
    }
    const lock = await readLockFile(target, { compiled: compiledLockDir() });
    refuseComposeFlags(target, opts, lock);
    const projectRoot = resolve(dirname(resolve(target)), lock.provenance.project_root);
    if (opts.locked) await assertLocked(target, lock);
    else if (!opts.frozen) await warnIfStale(target, lock);
    if (opts.locked) await (await import("../sync/tools.ts")).assertToolPins(lock, projectRoot);
    if (!opts.frozen) await assertPins(lock, projectRoot);
    if (opts.locked) {
      await (await import("../sync/python_packages.ts")).assertPythonPackages(lock, projectRoot);
      await (await import("../sync/images.ts")).assertImages(lock);
    }
    return [{ lock, lockPath: target, projectRoot, label: target }];
  }
  const { composeSources } = await import("../pipeline.ts");
  const points = await composeSources([target], {
    profile: opts.profile,
    params: assignments(opts.param),
    sweep: sweeps(opts.multirun),
  });
  const out: Target[] = [];
  for (const point of points) {
    await (await import("./_warnings.ts")).printWarnings(point.warnings);
    const label = point.sweep
      ? `${target} ${Object.entries(point.sweep).map(([k, v]) => `${k}=${v}`).join(",")}`
      : target;
    if (opts.frozen || opts.locked) {
      let existing: LockFile;
      try {
        existing = await readLockFile(point.outputPath);
      } catch (error) {
        if (error instanceof LilyError && error.code === "LILY-E0701") {
          throw new LilyError(
            "LILY-E0803",
            `${opts.locked ? "--locked" : "--frozen"}: there is no lock for \`${label}\` (\`${
              shown(point.outputPath)
            }\`)`,
            {
              flag: opts.locked ? "--locked" : "--frozen",
              hint: `create it with \`lily compose ${target}${
                opts.multirun?.length ? ` -m ${opts.multirun.join(" -m ")}` : ""
              }\``,
            },
          );
        }
        throw error;
      }
      if (opts.locked && existing.spec_hash !== point.lock.spec_hash) {
        const { diffLocks, formatDiff } = await import("../lock/diff.ts");
        console.error(
          formatDiff(diffLocks(existing, point.lock), { labels: [point.outputPath, target] }),
        );
        throw new LilyError("LILY-E0803", `--locked: \`${label}\` no longer composes to its lock`, {
          flag: "--locked",
          hint:
            `the diff above is what composing again would change: update it with \`lily compose ${target}\``,
        });
      }
      if (opts.locked) {
        await (await import("../sync/tools.ts")).assertToolPins(existing, point.projectRoot);
        await (await import("../sync/python_packages.ts")).assertPythonPackages(
          existing,
          point.projectRoot,
        );
        await (await import("../sync/images.ts")).assertImages(existing);
      }
      out.push({
        lock: existing,
        lockPath: point.outputPath,
        projectRoot: point.projectRoot,
        label,
      });
    } else out.push({ lock: point.lock, projectRoot: point.projectRoot, label });
  }
  return out;
}

async function assertPins(lock: LockFile, root: string): Promise<void> {
  if (Object.keys(lock.registry_pins.binaries).length === 0) return;
  const { checkPins } = await import("../sync/pins.ts");
  const drift = await checkPins(lock.registry_pins.binaries, { root });
  if (drift.length) {
    throw new LilyError(
      "LILY-E1103",
      `this machine does not match the lock's pins: ${
        drift.map((d) => `\`${d.name}\``).join(", ")
      }`,
      {
        notes: drift.map((d) => ({ message: `${d.name}: ${d.problem}` })),
        hint:
          "re-pin with `lily lock refresh LOCK` (the plan does not change), or run with --frozen to skip the check",
      },
    );
  }
}

async function assertLocked(path: string, lock: LockFile): Promise<void> {
  const { verifyLock } = await import("../lock/verify.ts");
  const { recomposeLock } = await import("../pipeline.ts");
  const report = await verifyLock(path, lock, { recompose: recomposeLock });
  const drift = report.findings.filter((f) => f.severity === "error");
  if (drift.length) {
    // The diff the error announces, printed before it (stderr: stdout may carry events).
    if (report.diff) {
      const { formatDiff } = await import("../lock/diff.ts");
      console.error(formatDiff(report.diff, { labels: [path, "recomposed"] }) + "\n");
    }
    throw new LilyError("LILY-E0803", `--locked: the lock is out of date with its sources`, {
      flag: "--locked",
      notes: drift.map((f) => ({
        message: f.message.replace("see the diff below", "the diff above"),
      })),
      hint: report.diff
        ? "the diff above is what composing again would change: update the lock with `lily compose` (or run without --locked)"
        : "update it with `lily compose` (or run without --locked)",
    });
  }
}

/**
 * A lock whose sources changed since compose still runs as written (that is what a lock is
 * for), but never silently: one line on stderr says so and how to check or update it.
 */
async function warnIfStale(path: string, lock: LockFile): Promise<void> {
  const { verifyLock } = await import("../lock/verify.ts");
  let report;
  try {
    report = await verifyLock(path, lock);
  } catch {
    return; // a lock without readable provenance: `--locked` reports it properly
  }
  const stale = report.findings.filter((f) => f.severity === "error");
  if (stale.length === 0) return;
  const first = stale[0].message + (stale.length > 1 ? ` (and ${stale.length - 1} more)` : "");
  console.error(
    `warning: ${path} is stale: ${first}; running it as locked (\`--locked\` shows the diff and refuses, \`lily compose\` updates it)`,
  );
}
