/**
 * `lily run`: run a lock, or a workflow composed in memory.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import { assignments, collect, command, parse } from "./_common.ts";
import { isLockPath } from "./_lock_or_petal.ts";

/** Exit status of a cancelled run (128 + SIGINT). */
export const EXIT_CANCELLED = 130;

/** Runs `lily run`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "run",
    "Run a lock as a parallel DAG with a content-addressed cache. Given a .petal, compose it\n" +
      "in memory first. Every run writes .lily/runs/<run-id>/ (events.jsonl, manifest.json,\n" +
      "logs/). Exit status: 0 success, 1 a step failed, 2 user error, 130 cancelled (Ctrl-C).",
    `  lily run locks/video.petal.lock.yaml
  lily run flows/video.petal -p size=720 --profile ci      # compose in memory, then run
  lily run locks/video.petal.lock.yaml --locked            # fail if the sources changed (CI)
  lily run locks/video.petal.lock.yaml -j 4 --verbose      # say why each step missed the cache
  lily run locks/video.petal.lock.yaml --only thumbnails   # a step and what it needs
  lily run locks/video.petal.lock.yaml --from transcode    # re-run a step and everything after
  lily run locks/video.petal.lock.yaml --dry-run           # what would run, what is cached
  lily run locks/video.petal.lock.yaml --events - --quiet  # JSON lines on stdout`,
  )
    .argument("<lock-or-petal>", "a lock file, or a workflow to compose in memory")
    .option("--locked", "assert that composing the sources again gives this lock; fail if not")
    .option(
      "--frozen",
      "run the lock as it is, checking nothing (with a .petal: its existing lock)",
    )
    .option("-j, --jobs <n>", "steps run at once (default: CPU count)")
    .option("--profile <name>", "profile, when composing a workflow")
    .option("-p, --param <key=value>", "param, when composing a workflow (repeatable)", collect)
    .option("--only <steps...>", "run only these steps (and the steps they need)")
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
    .option("-q, --quiet", "print only failures and the summary")
    .option("-v, --verbose", "print cache decisions and attempts")
    .option("--json", "print the manifest as JSON at the end (nothing else)");
  if (!await parse(program, args)) return 0;
  const [target] = program.args;
  const opts = program.opts<{
    locked?: boolean;
    frozen?: boolean;
    jobs?: string;
    profile?: string;
    param?: string[];
    only?: string[];
    from?: string;
    dryRun?: boolean;
    continue: string;
    events?: string;
    isolation: string;
    quiet?: boolean;
    verbose?: boolean;
    json?: boolean;
  }>();
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
  const jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
    throw new LilyError("LILY-E0003", `-j needs a positive integer, not \`${opts.jobs}\``, {
      flag: `-j ${opts.jobs}`,
    });
  }
  const { lock, lockPath, projectRoot } = await loadTarget(target, opts);
  const { runLock } = await import("../run/engine.ts");
  const { consoleView } = await import("../run/console.ts");
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      if (!opts.json) console.error("\ncancelling (Ctrl-C again to stop at once)…");
      controller.abort();
    } else Deno.exit(EXIT_CANCELLED);
  };
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGINT", onSigint);
  const tty = Deno.stdout.isTerminal();
  let runDir = "";
  const view = consoleView({
    total: lock.plan.steps.length,
    verbose: !!opts.verbose,
    quiet: !!opts.quiet || opts.events === "-",
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
  const result = await runLock(lock, {
    projectRoot,
    lockPath,
    jobs: jobs ?? (await projectJobs(projectRoot)),
    only: opts.only,
    from: opts.from,
    dryRun: opts.dryRun,
    continueMode: opts.continue as "never",
    events: opts.events,
    isolation: opts.isolation as "auto",
    signal: controller.signal,
    onEvent: (e) => {
      if (!runDir && e.type === "run.started") runDir = join(projectRoot, ".lily", "runs", e.run);
      if (!opts.json) view.onEvent(e);
    },
  });
  if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGINT", onSigint);
  view.end();
  if (opts.events && opts.events !== "-") {
    await Deno.copyFile(join(result.runDir, "events.jsonl"), opts.events).catch(() => {});
  }
  const m = result.manifest;
  if (opts.json) {
    console.log(JSON.stringify(m, null, 2));
  } else if (opts.dryRun) {
    for (const line of (m as unknown as { dry_run: string[] }).dry_run) console.log(line);
  } else if (opts.events !== "-") {
    const c = m.counts;
    const secs = (m.duration_ms / 1000).toFixed(1);
    console.log(
      `${m.status}: ${c.succeeded ?? 0} ran, ${c.cached ?? 0} cached, ${c.skipped ?? 0} skipped, ${
        c.failed ?? 0
      } failed${
        c.cancelled ? `, ${c.cancelled} cancelled` : ""
      } in ${secs}s — .lily/runs/${m.run_id}/`,
    );
  }
  if (m.status === "cancelled") return EXIT_CANCELLED;
  return m.status === "succeeded" ? 0 : 1;
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

async function loadTarget(
  target: string,
  opts: { locked?: boolean; frozen?: boolean; profile?: string; param?: string[] },
): Promise<{ lock: LockFile; lockPath?: string; projectRoot: string }> {
  const { compiledLockDir, readLockFile } = await import("../lock/read.ts");
  if (await isLockPath(target)) {
    const lock = await readLockFile(target, { compiled: compiledLockDir() });
    const projectRoot = resolve(dirname(resolve(target)), lock.provenance.project_root);
    if (opts.locked) await assertLocked(target, lock);
    if (!opts.frozen) await assertPins(lock, projectRoot);
    return { lock, lockPath: target, projectRoot };
  }
  const { composeSources } = await import("../compose/mod.ts");
  const [point] = await composeSources([target], {
    profile: opts.profile,
    params: assignments(opts.param),
  });
  await (await import("./_warnings.ts")).printWarnings(point.warnings);
  if (opts.frozen || opts.locked) {
    let existing: LockFile;
    try {
      existing = await readLockFile(point.outputPath);
    } catch (error) {
      if (error instanceof LilyError && error.code === "LILY-E0701") {
        throw new LilyError(
          "LILY-E0803",
          `${opts.locked ? "--locked" : "--frozen"}: there is no lock for \`${target}\``,
          {
            flag: opts.locked ? "--locked" : "--frozen",
            hint: `create it with \`lily compose ${target}\``,
          },
        );
      }
      throw error;
    }
    if (opts.locked && existing.spec_hash !== point.lock.spec_hash) {
      throw new LilyError("LILY-E0803", `--locked: \`${target}\` no longer composes to its lock`, {
        flag: "--locked",
        hint:
          `update it with \`lily compose ${target}\` (see what changed: \`lily diff ${point.outputPath} ${target}\`)`,
      });
    }
    return { lock: existing, lockPath: point.outputPath, projectRoot: point.projectRoot };
  }
  return { lock: point.lock, projectRoot: point.projectRoot };
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
  const report = await verifyLock(path, lock, { recompose: true });
  const drift = report.findings.filter((f) => f.severity === "error");
  if (drift.length) {
    throw new LilyError("LILY-E0803", `--locked: the lock is out of date with its sources`, {
      flag: "--locked",
      notes: drift.map((f) => ({ message: f.message })),
      hint:
        `update it with \`lily compose\` (or run without --locked); \`lily verify ${path} --recompose\` shows the diff`,
    });
  }
}
