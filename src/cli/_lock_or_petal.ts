/**
 * Commands that accept a lock or a workflow: a `.petal`/`.yaml` that is not a lock is
 * composed in memory first.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";

/** True when the path names a lock file (by its name, then by its content). */
export async function isLockPath(path: string): Promise<boolean> {
  if (/\.lock\.ya?ml$/.test(path)) return true;
  if (/\.petal$/.test(path)) return false;
  try {
    const head = (await Deno.readTextFile(path)).slice(0, 400);
    return /^schema_version:/m.test(head);
  } catch {
    return false;
  }
}

/** Loads a lock, or composes a workflow into one (in memory). */
export async function lockFrom(
  path: string,
  options: { profile?: string; params?: Record<string, string> } = {},
): Promise<{ lock: LockFile; lockPath: string | undefined }> {
  if (await isLockPath(path)) {
    const { readLockFile } = await import("../lock/read.ts");
    return { lock: await readLockFile(path), lockPath: path };
  }
  const { composeSources } = await import("../pipeline.ts");
  const [point] = await composeSources([path], options);
  await (await import("./_warnings.ts")).printWarnings(point.warnings);
  return { lock: point.lock, lockPath: undefined };
}

/**
 * A lock is frozen: `-p`, `--profile` (and `--overlay`) only mean something when composing a
 * workflow, so with a lock target they are an error naming the flag, never silently ignored.
 */
export function refuseComposeFlags(
  target: string,
  flags: { profile?: string; param?: string[]; overlay?: string[] },
  lock?: LockFile,
): void {
  const given = [
    ...(flags.param ?? []).map((p) => `-p ${p}`),
    ...(flags.profile === undefined ? [] : [`--profile ${flags.profile}`]),
    ...(flags.overlay ?? []).map((o) => `--overlay ${o}`),
  ];
  if (given.length === 0) return;
  const flow = lock?.provenance.sources.find((s) => s.role === "flow")?.path ?? "flows/x.petal";
  const what = given.length === 1 ? "applies" : "apply";
  throw new LilyError(
    "LILY-E0050",
    `${
      given.map((g) => `\`${g}\``).join(", ")
    } ${what} when composing a workflow, and \`${target}\` is a lock (frozen)`,
    {
      flag: given.join(" "),
      hint: `compose the .petal with ${given[0]} (\`lily compose ${flow} ${
        given[0]
      }\`), or run the .petal directly (\`lily run ${flow} ${given[0]}\`)`,
    },
  );
}
