/**
 * The content-addressed cache under `.lily/cache/`. An entry is a directory named by its key,
 * holding `entry.json` (outputs, with a digest of itself) and the output files; it is built in
 * a temporary directory and renamed into place, so it appears complete or not at all. Reads
 * verify every hash; a corrupt entry is a miss with a warning. Per-step records of the last
 * key parts explain misses; per-plan namespace files let `purge --namespace` work.
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

  entryDir(key: string): string {
    return join(this.root, "entries", key.slice(0, 2), key);
  }

  /** Looks an entry up and verifies it (entry digest; output files are checked on restore). */
  async lookup(key: string): Promise<Lookup> {
    const dir = this.entryDir(key);
    let text: string;
    try {
      text = await Deno.readTextFile(join(dir, "entry.json"));
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
   * Copies a hit's files back to their paths, verifying each hash first. Returns an error
   * message (and removes the entry) when a file is missing or corrupt.
   */
  async restore(entry: Entry, projectRoot: string): Promise<string | undefined> {
    const dir = this.entryDir(entry.key);
    for (const [name, out] of Object.entries(entry.outputs)) {
      if (out.path === undefined || out.sha256 === undefined) continue;
      const blob = join(dir, "files", name);
      let actual: string;
      try {
        actual = (await fileDigest(blob)).sha256;
      } catch {
        await this.remove(entry.key);
        return `output \`${name}\` is missing from the entry`;
      }
      if (actual !== out.sha256) {
        await this.remove(entry.key);
        return `output \`${name}\` does not match its recorded sha256`;
      }
      const target = join(projectRoot, out.path);
      await Deno.mkdir(dirname(target), { recursive: true });
      const temp = `${target}.lily-${crypto.randomUUID().slice(0, 8)}.tmp`;
      await Deno.copyFile(blob, temp);
      await Deno.rename(temp, target);
    }
    return undefined;
  }

  /** Stores an entry atomically. Concurrent writers of the same key: the first rename wins. */
  async store(entry: Entry, projectRoot: string): Promise<void> {
    const tmpRoot = join(this.root, "tmp");
    await Deno.mkdir(tmpRoot, { recursive: true });
    const temp = await Deno.makeTempDir({ dir: tmpRoot, prefix: `${entry.key.slice(0, 8)}-` });
    try {
      const files = Object.entries(entry.outputs).filter(([, o]) => o.path !== undefined);
      if (files.length) await Deno.mkdir(join(temp, "files"));
      for (const [name, out] of files) {
        await Deno.copyFile(join(projectRoot, out.path!), join(temp, "files", name));
      }
      await Deno.writeTextFile(
        join(temp, "entry.json"),
        JSON.stringify({ entry, digest: digestEntry(entry) }),
      );
      const final = this.entryDir(entry.key);
      await Deno.mkdir(dirname(final), { recursive: true });
      try {
        await Deno.rename(temp, final);
      } catch {
        // Another run stored the same key first: same content by construction.
        await Deno.remove(temp, { recursive: true }).catch(() => {});
      }
    } catch (error) {
      await Deno.remove(temp, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Removes an entry (rename away first, so readers never see half an entry). */
  async remove(key: string): Promise<void> {
    const dir = this.entryDir(key);
    const trash = join(
      this.root,
      "tmp",
      `trash-${key.slice(0, 8)}-${crypto.randomUUID().slice(0, 8)}`,
    );
    try {
      await Deno.mkdir(join(this.root, "tmp"), { recursive: true });
      await Deno.rename(dir, trash);
      await Deno.remove(trash, { recursive: true });
    } catch {
      // already gone
    }
  }

  whyPath(stepId: string): string {
    const safe = stepId.replace(/[^A-Za-z0-9_-]/g, "_");
    return join(this.root, "steps", `${safe}.json`);
  }

  /** The key parts of the last entry made for a step id (any plan), if any. */
  async lastParts(
    stepId: string,
  ): Promise<{ key: string; parts: KeyParts; at: string } | undefined> {
    try {
      return JSON.parse(await Deno.readTextFile(this.whyPath(stepId)));
    } catch {
      return undefined;
    }
  }

  /** Records the key parts of a step's entry (atomically). */
  async recordParts(stepId: string, key: string, parts: KeyParts): Promise<void> {
    await writeAtomic(
      this.whyPath(stepId),
      JSON.stringify({ key, parts, at: new Date().toISOString() }),
    );
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
