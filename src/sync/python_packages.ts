/**
 * `lily sync`'s python step: every package a `python` step names is imported with the pinned
 * interpreter and its version recorded in the lock's `registry_pins.python_packages` (outside
 * `spec_hash`). A version already recorded is compared, not overwritten: a difference is drift
 * (the step refuses to run too, see steps/python_runner.ts). Like version probes, the
 * interpreter runs sandboxed (bubblewrap: no network, only system directories, an empty
 * temporary directory) under a timeout, or not at all.
 * @module
 */
import { LilyError } from "../errors.ts";
import { confinedPrefix } from "./confine.ts";
import type { LockFile } from "../schema/lock.ts";
import { pinnedPath } from "./pins.ts";

/** Imports each distribution named in argv[1] (JSON list); prints name → version or error. */
const CHECK = String.raw`
import sys, json, importlib, importlib.metadata as md
names = json.loads(sys.argv[1])
tops = {}
by_module = md.packages_distributions()
for top, dists in by_module.items():
    for d in dists:
        tops.setdefault(d.lower().replace("_", "-"), []).append(top)
out = {}
for name in names:
    try:
        version = md.version(name)
    except md.PackageNotFoundError:
        dists = sorted(set(by_module.get(name, [])))
        if dists:
            # An import name, not a distribution: packages: names what pip/apt install.
            out[name] = {"error": "not a distribution: %s is a module; its distribution is %s (name that in packages:)" % (name, " or ".join(dists))}
        else:
            out[name] = {"error": "not installed for " + sys.executable}
        continue
    modules = [t for t in tops.get(name.lower().replace("_", "-"), []) if not t.startswith("_")] or [name.replace("-", "_")]
    try:
        for m in sorted(set(modules)):
            importlib.import_module(m)
        out[name] = {"version": version}
    except Exception as e:
        out[name] = {"error": "import %s failed: %s: %s" % (m, type(e).__name__, e)}
print(json.dumps(out))
`;

/** What sync found for python packages. */
export interface PythonPackageReport {
  /** interpreter → package → version (or null). */
  versions: Record<string, Record<string, string | null>>;
  /** Problems: a package missing, failing to import, or drifted. */
  problems: { python: string; name: string; problem: string }[];
  /** The lock with versions recorded, when any was taken. */
  lock?: LockFile;
}

/** Checks and records the python packages of `lock`. */
export async function syncPythonPackages(
  lock: LockFile,
  options: { root: string; timeoutMs: number; say?: (line: string) => void },
): Promise<PythonPackageReport> {
  const all = lock.registry_pins.python_packages ?? {};
  const report: PythonPackageReport = { versions: {}, problems: [] };
  const updated: Record<string, Record<string, string | null>> = {};
  let changed = false;
  for (const [python, packages] of Object.entries(all).sort(([a], [b]) => a < b ? -1 : 1)) {
    updated[python] = { ...packages };
    report.versions[python] = { ...packages };
    const pin = lock.registry_pins.binaries[python];
    if (!pin) continue;
    const names = Object.keys(packages).sort();
    const found = await importInSandbox(pinnedPath(pin, options.root), names, options.timeoutMs);
    if (typeof found === "string") {
      options.say?.(`! python packages of ${python} not checked: ${found}`);
      continue;
    }
    for (const name of names) {
      const result = found[name] ?? { error: "no answer" };
      const pinned = packages[name];
      if ("error" in result) {
        report.problems.push({ python, name, problem: result.error });
        options.say?.(`✗ python package ${name} (${python}): ${result.error}`);
      } else if (pinned !== null && pinned !== result.version) {
        report.problems.push({
          python,
          name,
          problem: `version ${result.version} here, the lock pins ${pinned}`,
        });
        options.say?.(
          `✗ python package ${name} (${python}): ${result.version} here, the lock pins ${pinned}`,
        );
      } else {
        if (pinned === null) {
          updated[python][name] = result.version;
          report.versions[python][name] = result.version;
          changed = true;
        }
        options.say?.(`✓ python package ${name} ${result.version} (${python})`);
      }
    }
  }
  if (changed) {
    report.lock = { ...lock, registry_pins: { ...lock.registry_pins, python_packages: updated } };
  }
  return report;
}

/** The LilyError for packages that do not import (sync's exit status says drift for others). */
export function packageError(problems: PythonPackageReport["problems"]): LilyError {
  return new LilyError(
    "LILY-E0680",
    `python package${problems.length === 1 ? "" : "s"} ${
      problems.map((p) => `\`${p.name}\``).join(", ")
    } do${problems.length === 1 ? "es" : ""} not import with the pinned interpreter`,
    {
      notes: problems.map((p) => ({ message: `${p.name} (${p.python}): ${p.problem}` })),
      hint: "`packages:` names distributions as pip and apt know them, not import names " +
        "(`PyYAML` imports as `yaml`); install them for that interpreter (on Debian: " +
        "`apt-get install python3-<name>` for /usr/bin/python3), or name another with `with.python`",
    },
  );
}

async function importInSandbox(
  python: string,
  names: string[],
  timeoutMs: number,
): Promise<Record<string, { version: string } | { error: string }> | string> {
  const dir = await Deno.makeTempDir({ prefix: "lily-pypkg-" });
  try {
    const prefix = confinedPrefix(python, dir);
    if (!prefix) {
      return "this machine cannot confine the interpreter (needs bubblewrap), so it was not started";
    }
    const child = new Deno.Command(prefix[0], {
      args: [...prefix.slice(1), python, "-I", "-B", "-c", CHECK, JSON.stringify(names)],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", LC_ALL: "C.UTF-8", HOME: dir },
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // ended
      }
    }, timeoutMs);
    const out = await child.output();
    clearTimeout(timer);
    if (timedOut) return `the import check did not finish within ${timeoutMs} ms`;
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    try {
      return JSON.parse(text);
    } catch {
      return `the interpreter failed: ${
        new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0]
      }`;
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * Reads installed versions from package metadata. Run with `-S`: no `site` processing, so no
 * `.pth` file's code runs; the site directories are added by hand.
 */
const VERSIONS = String.raw`
import sys, json, site
sys.path.extend(site.getsitepackages())
import importlib.metadata as md
out = {}
for name in json.loads(sys.argv[1]):
    try:
        out[name] = md.version(name)
    except md.PackageNotFoundError:
        out[name] = None
print(json.dumps(out))
`;

/**
 * `run --locked`: every python package version the lock records must be the one installed
 * for its pinned interpreter (read from package metadata; no package code runs). Throws
 * LILY-E0681 naming each drifted package.
 */
export async function assertPythonPackages(lock: LockFile, root: string): Promise<void> {
  const problems: string[] = [];
  for (const [python, packages] of Object.entries(lock.registry_pins.python_packages ?? {})) {
    const pinned = Object.entries(packages).filter(([, v]) => v !== null);
    const pin = lock.registry_pins.binaries[python];
    if (!pinned.length || !pin) continue;
    let found: Record<string, string | null>;
    try {
      const out = await new Deno.Command(pinnedPath(pin, root), {
        args: ["-I", "-S", "-B", "-c", VERSIONS, JSON.stringify(pinned.map(([n]) => n))],
        clearEnv: true,
        env: { PATH: "/usr/bin:/bin", LC_ALL: "C.UTF-8" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      found = JSON.parse(new TextDecoder().decode(out.stdout));
    } catch {
      problems.push(`${python}: the interpreter did not report package versions`);
      continue;
    }
    for (const [name, version] of pinned) {
      if (found[name] !== version) {
        problems.push(
          `${name} (${python}): ${found[name] ?? "not installed"} here, the lock pins ${version}`,
        );
      }
    }
  }
  if (problems.length) {
    throw new LilyError("LILY-E0681", "--locked: python packages differ from the lock's pins", {
      flag: "--locked",
      notes: problems.map((message) => ({ message })),
      hint:
        "install the pinned versions, or re-pin with `lily lock refresh LOCK` then `lily sync LOCK`",
    });
  }
}
