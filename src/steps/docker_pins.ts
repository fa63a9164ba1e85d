/**
 * A docker step's image in its cache key: the plan lists `image:<ref>` among the step's
 * `cache.pins` (beside its binaries), and at run time the pin's digest is the image's digest
 * from `registry_pins.images`. An image replaced under its tag (and pinned again by
 * `lily lock refresh`) is a cache miss, said as "the pin of `image:<ref>`".
 * @module
 */
import type { LockFile, LockStep } from "../schema/lock.ts";

const PREFIX = "image:";

/** The image pins of a step (`image:<ref>` for a docker step; none otherwise). */
export function imagePinNames(step: Pick<LockStep, "adapter" | "with">): string[] {
  const ref = step.with.image;
  return step.adapter === "docker" && typeof ref === "string" ? [`${PREFIX}${ref}`] : [];
}

/** The digest a cache pin stands for: a binary's sha256, or an image's digest. */
export function pinDigest(lock: Pick<LockFile, "registry_pins">, name: string): string {
  if (name.startsWith(PREFIX)) {
    return lock.registry_pins.images[name.slice(PREFIX.length)] || "unpinned";
  }
  return lock.registry_pins.binaries[name]?.sha256 ?? "unpinned";
}
