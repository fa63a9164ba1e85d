/**
 * The content-addressed cache under `.lily/cache/`:
 * - `blobs/<aa>/<sha256>`: output files, stored by content (shared between entries);
 * - `entries/<aa>/<key>.json`: an entry's record (its outputs) with a digest of itself.
 * Blobs are written first and the record last, each as temp file + rename, so an entry
 * appears complete or not at all; reads verify the record's digest and every blob's sha256,
 * and a corrupt entry is a miss with a warning. `steps.json` keeps each step's last key
 * parts (to explain misses); `namespaces/<spec_hash>.json` the keys each plan used.
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { canonicalJson } from "../lock/canonical.ts";
import { fileDigest, type KeyParts } from "./key.ts";

/** A stored output. */
export interface StoredOutput {
  type: string;
  value?: unknown;
  /** Project-relative path for file outputs. */
  path?: string;
  sha256?: string;
  size?: number;
}

/** The record of an entry. */
export interface Entry {
  key: string;
  step: string;
  created: string;
  outputs: Record<string, StoredOutput>;
}

/** The key parts of a step's last entry. */
export interface StepRecordParts {
  key: string;
  parts: KeyParts;
  at: string;
}

/** Why a lookup found nothing usable. */
export type Lookup =
  | { hit: true; entry: Entry }
  | { hit: false; corrupt?: string };

/** The cache of one project. */
export class CacheStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  #dirs = new Set<string>();

  entryPath(key: string): string {
    return join(this.root, "entries", key.slice(0, 2), `${key}.json`);
  }

  blobPath(sha256: string): string {
    return join(this.root, "blobs", sha256.slice(0, 2), sha256);
  }

  // Records are small: sync calls avoid a thread-pool hop per file (this is on each step's
  // critical path; measured on a 200-step chain).
  #mkdir(dir: string): void {
    if (this.#dirs.has(dir)) return;
    Deno.mkdirSync(dir, { recursive: true });
    this.#dirs.add(dir);
  }

  /** Looks an entry up and verifies its record (blobs are checked on restore). */
  lookup(key: string): Lookup {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.entryPath(key));
    } catch {
      return { hit: false };
    }
    try {
      const { entry, digest } = JSON.parse(text) as { entry: Entry; digest: string };
      if (digestEntry(entry) !== digest || entry.key !== key) {
        return { hit: false, corrupt: "the entry's record does not match its digest" };
      }
      return { hit: true, entry };
    } catch {
      return { hit: false, corrupt: "the entry's record is not valid JSON" };
    }
  }

  /**
   * Copies a hit's files back to their paths, verifying each blob's hash first. Returns an
   * error message (and removes the entry) when a blob is missing or corrupt.
   */
  async restore(entry: Entry, projectRoot: string): Promise<string | undefined> {
    for (const [name, out] of Object.entries(entry.outputs)) {
      if (out.path === undefined || out.sha256 === undefined || out.size === undefined) continue;
      const blob = this.blobPath(out.sha256);
      let actual: string;
      try {
        actual = (await fileDigest(blob)).sha256;
      } catch {
        await this.remove(entry.key);
        return `output \`${name}\` is missing from the cache`;
      }
      if (actual !== out.sha256) {
        await this.remove(entry.key);
        await Deno.remove(blob).catch(() => {});
        return `output \`${name}\` does not match its recorded sha256`;
      }
      const target = join(projectRoot, out.path);
      this.#mkdir(dirname(target));
      const temp = `${target}.lily-${crypto.randomUUID().slice(0, 8)}.tmp`;
      await Deno.copyFile(blob, temp);
      await Deno.rename(temp, target);
    }
    return undefined;
  }

  /** Stores an entry: blobs first, the record last (each atomically). */
  async store(entry: Entry, projectRoot: string): Promise<void> {
    for (const out of Object.values(entry.outputs)) {
      if (out.path === undefined || out.sha256 === undefined || out.size === undefined) continue;
      const blob = this.blobPath(out.sha256);
      try {
        await Deno.stat(blob);
        continue; // content already stored
      } catch {
        // store it
      }
      this.#mkdir(dirname(blob));
      const temp = `${blob}.${crypto.randomUUID().slice(0, 8)}.tmp`;
      await Deno.copyFile(join(projectRoot, out.path), temp);
      await Deno.rename(temp, blob);
    }
    const path = this.entryPath(entry.key);
    this.#mkdir(dirname(path));
    const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    Deno.writeTextFileSync(temp, JSON.stringify({ entry, digest: digestEntry(entry) }));
    Deno.renameSync(temp, path);
  }

  /** Removes an entry's record (its blobs stay until `gc`, other entries may share them). */
  async remove(key: string): Promise<void> {
    await Deno.remove(this.entryPath(key)).catch(() => {});
  }

  /** Every step's last key parts (read once per run). */
  async stepIndex(): Promise<Record<string, StepRecordParts>> {
    try {
      return JSON.parse(await Deno.readTextFile(join(this.root, "steps.json")));
    } catch {
      return {};
    }
  }

  /**
   * Merges this run's step records into the index (read-modify-rename: a concurrent run may
   * win a race, which costs only a less precise "why", never a wrong cache hit).
   */
  async updateStepIndex(records: Record<string, StepRecordParts>): Promise<void> {
    if (Object.keys(records).length === 0) return;
    const index = { ...(await this.stepIndex()), ...records };
    await writeAtomic(join(this.root, "steps.json"), JSON.stringify(index));
  }

  /** Adds keys to a plan's namespace record. */
  async recordNamespace(specHash: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const path = join(this.root, "namespaces", `${specHash.replace(/^sha256:/, "")}.json`);
    let existing: string[] = [];
    try {
      existing = JSON.parse(await Deno.readTextFile(path));
    } catch {
      // new namespace
    }
    const all = [...new Set([...existing, ...keys])].sort();
    await writeAtomic(path, JSON.stringify(all));
  }
}

/** Digest of an entry record (stored beside it: a flipped byte is detected). */
export function digestEntry(entry: Entry): string {
  return createHash("sha256").update(canonicalJson(entry)).digest("hex");
}

/** Writes a file atomically (temp file + rename). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temp, text);
  await Deno.rename(temp, path);
}
