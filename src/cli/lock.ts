/**
 * `lily lock refresh`: re-resolve a lock's pins without changing its plan.
 * @module
 */
import { LilyError } from "../errors.ts";
import { command, parse, writeFileAtomic } from "./_common.ts";

/** Runs `lily lock`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "lock",
    // Lines under 80 columns: the help printer wraps longer ones mid-sentence.
    "Lock maintenance. `lily lock refresh LOCK` re-resolves every pinned binary\n" +
      "(path and sha256; no program is started) on this machine and rewrites the\n" +
      "lock; the plan and spec_hash do not change. A changed binary loses its\n" +
      "version line: `lily sync` takes it. Each image of a docker step is resolved\n" +
      "again, tag → digest (pulled first when a registry answers), and pinned.",
    `  lily lock refresh locks/video.petal.lock.yaml
  lily lock refresh locks/video.petal.lock.yaml --check   # exit 1 if a refresh would change pins`,
  )
    .argument("<action>", "refresh")
    .argument("<lock>", "the lock file")
    .option("--check", "do not write; exit 1 when pins would change");
  if (!await parse(program, args)) return 0;
  const [action, path] = program.args;
  if (action !== "refresh") {
    throw new LilyError("LILY-E0003", `unknown lock action \`${action}\``, {
      flag: `lily lock ${action}`,
      hint: "use `lily lock refresh LOCK`",
    });
  }
  const opts = program.opts<{ check?: boolean }>();
  const { readLockFile } = await import("../lock/read.ts");
  const { resolvePins } = await import("../sync/pins.ts");
  const { lockText } = await import("../lock/build.ts");
  const lock = await readLockFile(path);
  const { dirname, resolve } = await import("node:path");
  const root = resolve(dirname(resolve(path)), lock.provenance.project_root);
  const pins = await resolvePins(Object.keys(lock.registry_pins.binaries), { root });
  // A file that did not change keeps the version line `lily sync` took for it.
  for (const [name, pin] of Object.entries(pins)) {
    const before = lock.registry_pins.binaries[name];
    if (before && before.sha256 === pin.sha256) pin.version = before.version;
  }
  const changed = Object.keys(pins).filter((name) =>
    JSON.stringify(pins[name]) !== JSON.stringify(lock.registry_pins.binaries[name])
  );
  for (const name of changed) {
    const before = lock.registry_pins.binaries[name];
    console.log(
      `~ ${name}: ${before.path} ${before.sha256?.slice(0, 12)} → ${pins[name].path} ${
        pins[name].sha256?.slice(0, 12)
      }`,
    );
  }
  // Python package versions are taken again by the next `lily sync` (it compares, never overwrites).
  const packages = lock.registry_pins.python_packages;
  const stale = Object.values(packages ?? {}).some((p) => Object.values(p).some((v) => v !== null));
  if (stale) {
    for (const [python, names] of Object.entries(packages!)) {
      for (const name of Object.keys(names)) names[name] = null;
      console.log(
        `~ python packages of ${python}: versions cleared (run \`lily sync\` to take them)`,
      );
    }
    changed.push("python_packages");
  }
  // Container images: each reference resolved again, tag → digest (sync/images.ts).
  const images = await (await import("../sync/images.ts")).refreshImages(lock.registry_pins.images);
  for (const [ref, digest] of Object.entries(images)) {
    if (digest === lock.registry_pins.images[ref]) continue;
    console.log(`~ image ${ref}: ${lock.registry_pins.images[ref] || "(unpinned)"} → ${digest}`);
    changed.push(`image ${ref}`);
  }
  // Tools of `tool` steps follow their binaries' new pins (sync/tools.ts).
  const tools = (await import("../sync/tools.ts")).refreshToolPins(lock, pins);
  for (const name of tools.changed) {
    console.log(`~ ${name}: re-pinned, version cleared (run \`lily sync\`)`);
  }
  changed.push(...tools.changed);
  if (changed.length === 0) {
    console.log("pins are up to date");
    return 0;
  }
  if (opts.check) return 1;
  const refreshed = {
    ...lock,
    registry_pins: {
      ...lock.registry_pins,
      binaries: pins,
      images: { ...images },
      ...(tools.tools ? { tools: tools.tools } : {}),
    },
  };
  await writeFileAtomic(path, lockText(refreshed));
  console.log(
    `refreshed ${changed.length} pin(s); spec_hash unchanged (${lock.spec_hash.slice(0, 19)})`,
  );
  return 0;
}
