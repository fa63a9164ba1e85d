/**
 * Container images in the lock's `registry_pins.images`: reference → digest (`sha256:…`, the
 * image's content-addressed ID; `""` until taken). `lily sync` checks each image is on this
 * machine (pulling it when it is not) and records the digest of an unpinned one; a pinned one
 * that now has another digest is drift, reported and never overwritten. `lily lock refresh`
 * resolves every reference again (pull, then the local digest). `run --locked` refuses an
 * image that is unpinned, missing, or replaced under its tag. Pins are outside `spec_hash`.
 * @module
 */
import { LilyError } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import {
  type ContainerEngine,
  findEngine,
  imageDigest,
  pullImage,
} from "../steps/docker_engine.ts";

/** A problem with one image. */
export interface ImageProblem {
  ref: string;
  code: "LILY-E0903" | "LILY-E0904";
  problem: string;
}

async function engineOrThrow(): Promise<ContainerEngine> {
  const engine = await findEngine();
  if (engine instanceof LilyError) throw engine;
  return engine;
}

/** The digest of `ref` here, pulling it first when it is not present (or `pull` says so). */
async function currentDigest(
  engine: ContainerEngine,
  ref: string,
  pull: boolean,
): Promise<{ digest: string | null; pullError?: string }> {
  let pullError: string | undefined;
  if (pull) pullError = (await pullImage(engine, ref)) ?? undefined;
  let digest = await imageDigest(engine, ref);
  if (digest === null && !pull) {
    pullError = (await pullImage(engine, ref)) ?? undefined;
    digest = await imageDigest(engine, ref);
  }
  return { digest, pullError };
}

/**
 * `lily sync`: every image present (pulled if not), unpinned ones pinned. `say` receives one
 * line per image. The updated lock is returned when a digest was recorded.
 */
export async function syncImages(
  lock: LockFile,
  options: { say?: (line: string) => void } = {},
): Promise<{ digests: Record<string, string>; problems: ImageProblem[]; lock?: LockFile }> {
  const refs = Object.keys(lock.registry_pins.images);
  const digests: Record<string, string> = {};
  const problems: ImageProblem[] = [];
  if (refs.length === 0) return { digests, problems };
  const engine = await engineOrThrow();
  const images = { ...lock.registry_pins.images };
  let changed = false;
  for (const ref of refs.sort()) {
    const pinned = images[ref];
    const { digest, pullError } = await currentDigest(engine, ref, false);
    if (digest === null) {
      problems.push({
        ref,
        code: "LILY-E0904",
        problem: `not on this machine, and pulling it failed: ${pullError ?? "no image"}`,
      });
      options.say?.(`✗ image ${ref}: not on this machine (${pullError ?? "no image"})`);
      continue;
    }
    digests[ref] = digest;
    if (pinned === "") {
      images[ref] = digest;
      changed = true;
      options.say?.(`✓ image ${ref}: pinned ${digest.slice(0, 19)}`);
    } else if (pinned !== digest) {
      problems.push({
        ref,
        code: "LILY-E0903",
        problem: `the lock pins ${pinned.slice(0, 19)}, this machine has ${digest.slice(0, 19)}`,
      });
      options.say?.(`✗ image ${ref}: the lock pins ${pinned}, this machine has ${digest}`);
    } else options.say?.(`✓ image ${ref} ${digest.slice(0, 19)}`);
  }
  return changed
    ? { digests, problems, lock: { ...lock, registry_pins: { ...lock.registry_pins, images } } }
    : { digests, problems };
}

/** `lily lock refresh`: every reference resolved again (pulled when possible, else local). */
export async function refreshImages(
  images: Record<string, string>,
): Promise<Record<string, string>> {
  const refs = Object.keys(images);
  if (refs.length === 0) return {};
  const engine = await engineOrThrow();
  const out: Record<string, string> = {};
  for (const ref of refs.sort()) {
    const { digest } = await currentDigest(engine, ref, !ref.startsWith("localhost/"));
    out[ref] = digest ?? images[ref];
  }
  return out;
}

/** The error for image problems (the first one's code). */
export function imageError(problems: ImageProblem[], flag?: string): LilyError {
  const lines = problems.map((p) => `${p.ref}: ${p.problem}`).join("; ");
  const drift = problems[0].code === "LILY-E0903";
  return new LilyError(
    problems[0].code,
    drift ? `an image differs from the lock's pin (${lines})` : `an image is missing (${lines})`,
    {
      flag,
      hint: drift
        ? "an image was replaced under its tag: `lily lock refresh LOCK` pins what is here now (review it first), or restore the pinned image"
        : "pull or build the image, then run `lily sync LOCK`",
    },
  );
}

/** `run --locked`: refuses an unpinned, missing or replaced image (LILY-E0903/E0904). */
export async function assertImages(lock: LockFile): Promise<void> {
  const refs = Object.keys(lock.registry_pins.images);
  if (refs.length === 0) return;
  const engine = await engineOrThrow();
  const problems: ImageProblem[] = [];
  for (const ref of refs.sort()) {
    const pinned = lock.registry_pins.images[ref];
    const digest = await imageDigest(engine, ref);
    if (pinned === "") {
      problems.push({ ref, code: "LILY-E0903", problem: "not pinned (run `lily sync LOCK`)" });
    } else if (digest === null) {
      problems.push({ ref, code: "LILY-E0904", problem: "not on this machine" });
    } else if (digest !== pinned) {
      problems.push({
        ref,
        code: "LILY-E0903",
        problem: `the lock pins ${pinned.slice(0, 19)}, this machine has ${digest.slice(0, 19)}`,
      });
    }
  }
  if (problems.length) throw imageError(problems, "--locked");
}
