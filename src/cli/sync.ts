/**
 * `lily sync`: check that this machine matches a lock's pins and prepare what it needs.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import { command, parse, writeFileAtomic } from "./_common.ts";
import type { Holds } from "../sandbox/isolation.ts";

/** Runs `lily sync`. Exit 0 ready, 1 drift, 2 error. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "sync",
    "Check that this machine matches a lock's pins (each binary's path and sha256) and prepare\n" +
      "what the lock needs: the artifact root and the folders of declared output files. Says\n" +
      "which sandbox this machine can enforce for each network policy the lock uses, and what else\n" +
      "holds for programs here (processes, terminal, descriptors, Lily's state…; `!` marks what\n" +
      "does not: see docs/security.md).\n" +
      "Records each pinned program's version line in the lock (compose never starts a program):\n" +
      "`PROGRAM --version` (then `-V`) runs sandboxed — an empty temporary directory, no\n" +
      "network, only the system directories visible — and is killed, with everything it started,\n" +
      "after --version-timeout. Without bubblewrap no program is started. spec_hash never moves.\n" +
      "Imports the python packages `python` steps name (`with.packages`) with the pinned\n" +
      "interpreter, sandboxed the same way, and records their versions (a recorded version that\n" +
      "differs is drift). Checks the tools of `tool` steps: the binary against its pin and its\n" +
      "version (the tool's own probe, sandboxed the same way) against the declared constraint\n" +
      "(docs/tools.md). Checks that the images of docker steps are here (pulling a missing\n" +
      "one) and pins their digests (a pinned image with another digest is drift: docs/docker.md).\n" +
      "Exit status: 0 ready, 1 a pin drifted (run `lily lock refresh`), 2 on error.",
    `  lily sync locks/video.petal.lock.yaml
  lily sync locks/video.petal.lock.yaml --json`,
  )
    .argument("<lock>", "the lock file")
    .option("--json", "machine-readable output")
    .option("--no-versions", "do not take version lines (start no pinned program)")
    .option("--version-timeout <duration>", "time a program gets to print its version", "5s");
  if (!await parse(program, args)) return 0;
  const [path] = program.args;
  const opts = program.opts<{ json?: boolean; versions: boolean; versionTimeout: string }>();
  const { parseDuration } = await import("../util/duration.ts");
  const timeoutMs = parseDuration(opts.versionTimeout);
  if (timeoutMs === undefined || timeoutMs <= 0) {
    throw new LilyError(
      "LILY-E0721",
      `\`--version-timeout ${opts.versionTimeout}\` is not a duration`,
      { flag: "--version-timeout", hint: "write a duration such as `5s`, `500ms` or `1m`" },
    );
  }
  const { readLockFile } = await import("../lock/read.ts");
  const { checkPins } = await import("../sync/pins.ts");
  const lock = await readLockFile(path);
  const root = resolve(dirname(resolve(path)), lock.provenance.project_root);
  const report: {
    pins: Record<string, string>;
    versions: Record<string, string | null>;
    python_packages?: Record<string, Record<string, string | null>>;
    tools?: Record<string, Record<string, string | null>>;
    created: string[];
    sandbox: Record<
      string,
      {
        enforced: boolean;
        filesystem: string;
        mechanism: string | null;
        holds?: Holds;
        not_held?: (keyof Holds)[];
      }
    >;
  } = { pins: {}, versions: {}, created: [], sandbox: {} };
  const drift = await checkPins(lock.registry_pins.binaries, { root });
  for (const name of Object.keys(lock.registry_pins.binaries)) {
    const d = drift.find((x) => x.name === name);
    report.pins[name] = d ? d.problem : "ok";
    if (!opts.json) {
      console.log(
        `${d ? "✗" : "✓"} binary ${name}${
          d ? `: ${d.problem}` : ` ${lock.registry_pins.binaries[name].path}`
        }`,
      );
    }
  }
  if (opts.versions && drift.length === 0) {
    const { recordVersions } = await import("../sync/record_versions.ts");
    const taken = await recordVersions(lock, {
      root,
      timeoutMs,
      say: opts.json ? undefined : (line) => console.log(line),
    });
    report.versions = taken.versions;
    if (taken.lock) {
      const { lockText } = await import("../lock/build.ts");
      await writeFileAtomic(path, lockText(taken.lock));
    }
  }
  // Python packages of `python` steps: imported with the pinned interpreter, versions recorded.
  let packageDrift = 0;
  if (opts.versions && drift.length === 0 && lock.registry_pins.python_packages) {
    const { packageError, syncPythonPackages } = await import("../sync/python_packages.ts");
    const current = await readLockFile(path);
    const taken = await syncPythonPackages(current, {
      root,
      timeoutMs: Math.max(timeoutMs, 30_000),
      say: opts.json ? undefined : (line) => console.log(line),
    });
    report.python_packages = taken.versions;
    if (taken.lock) {
      const { lockText } = await import("../lock/build.ts");
      await writeFileAtomic(path, lockText(taken.lock));
    }
    const broken = taken.problems.filter((p) => !p.problem.startsWith("version "));
    if (broken.length) throw packageError(broken);
    packageDrift = taken.problems.length;
  }
  // Container images of docker steps: present (pulled if not), digests pinned (sync/images.ts).
  let imageDrift = 0;
  if (Object.keys(lock.registry_pins.images).length) {
    const { imageError, syncImages } = await import("../sync/images.ts");
    const taken = await syncImages(await readLockFile(path), {
      say: opts.json ? undefined : (line) => console.log(line),
    });
    (report as Record<string, unknown>).images = taken.digests;
    if (taken.lock) {
      const { lockText } = await import("../lock/build.ts");
      await writeFileAtomic(path, lockText(taken.lock));
    }
    const missing = taken.problems.filter((p) => p.code === "LILY-E0904");
    if (missing.length) throw imageError(missing);
    imageDrift = taken.problems.length;
  }
  // Tools of `tool` steps: each binary against its pin, its version against the constraint.
  let toolDrift = 0;
  if (drift.length === 0 && lock.registry_pins.tools) {
    const { syncTools } = await import("../sync/tools.ts");
    const taken = await syncTools(await readLockFile(path), {
      root,
      timeoutMs,
      versions: opts.versions,
      say: opts.json ? undefined : (line) => console.log(line),
    });
    report.tools = taken.versions;
    if (taken.lock) {
      await writeFileAtomic(path, (await import("../lock/build.ts")).lockText(taken.lock));
    }
    toolDrift = taken.drift.length;
  }
  const dirs = new Set<string>([join(root, lock.artifacts.root), join(root, ".lily")]);
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    for (const io of Object.values(step.outputs)) {
      if (io.path) dirs.add(dirname(join(root, io.path)));
    }
  }
  for (const dir of [...dirs].sort()) {
    try {
      await Deno.stat(dir);
    } catch {
      await Deno.mkdir(dir, { recursive: true });
      report.created.push(dir);
      if (!opts.json) {
        console.log(`+ created ${dir.startsWith(root) ? dir.slice(root.length + 1) : dir}`);
      }
    }
  }
  // What the sandbox can enforce here, per network policy the lock uses (as `lily run` will).
  const { osIsolation } = await import("../sandbox/isolation.ts");
  const view = {
    read: [root],
    write: [root],
    hide: [join(root, ".lily")],
    support: [],
    scratch: join(root, ".lily", "scratch"),
  };
  const seen = new Set<string>();
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    const key = JSON.stringify(step.resources.network);
    if (seen.has(key)) continue;
    seen.add(key);
    const { record } = osIsolation(step.resources.network, "auto", view);
    report.sandbox[record.network] = {
      enforced: record.enforced,
      filesystem: record.filesystem,
      mechanism: record.mechanism,
      ...(record.holds ? { holds: record.holds, not_held: record.not_held ?? [] } : {}),
    };
    if (!opts.json) {
      console.log(
        `${record.enforced ? "✓" : "!"} network ${record.network}: ${
          record.enforced
            ? `enforced (${record.mechanism})`
            : "NOT enforced for programs here (`lily run --isolation strict` refuses such steps)"
        }${record.holds ? "" : `; ${record.filesystem}`}`,
      );
    }
  }
  // What else holds for programs here (the same for every network policy): said once, the
  // file system among it (`programs:`), so the network's `✓` never vouches for the roots.
  const first = Object.values(report.sandbox).find((r) => r.holds);
  if (first?.holds && !opts.json) {
    for (const [what, how] of Object.entries(first.holds)) {
      const not = first.not_held?.includes(what as keyof Holds);
      console.log(`${not ? "!" : "✓"} ${what.replace("_", " ")}: ${how}`);
    }
  }
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else if (packageDrift) {
    console.log(
      `\n${packageDrift} python package(s) drifted: run \`lily lock refresh ${path}\` then \`lily sync ${path}\` to re-pin them`,
    );
  } else if (imageDrift) {
    console.log(
      `\n${imageDrift} image(s) differ from their pins: run \`lily lock refresh ${path}\` to re-pin what is here (docs/docker.md)`,
    );
  } else if (drift.length || toolDrift) {
    console.log(
      `\n${
        drift.length + toolDrift
      } pin(s) drifted: run \`lily lock refresh ${path}\` to re-pin (the plan and spec_hash stay the same)`,
    );
  } else {console.log(
      `ready: ${
        Object.keys(lock.registry_pins.binaries).length
      } pin(s) match, ${report.created.length} folder(s) created`,
    );}
  return drift.length || packageDrift || toolDrift || imageDrift ? 1 : 0;
}
