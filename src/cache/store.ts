/**
 * The content-addressed cache under `.lily/cache/`:
 * - `blobs/<aa>/<sha256>`: output files, stored by content (shared between entries);
 * - `records.jsonl`: a journal of entry records (key, outputs, an HMAC of the record), one
 *   a line, appended in one write each (creating a file costs ≈ 0.17 ms here, an append
 *   ≈ 1 µs). Blobs are written first (temp file + rename) and the record last, so an entry
 *   appears complete or not at all; reads verify the record's HMAC and every blob's
 *   sha256, and a corrupt or forged entry is a miss with a warning (and a tombstone line).
 * - `key`: the cache's secret HMAC key (mode 0600). Steps never see `.lily/` (the sandbox
 *   mounts it away), so a record written by anything but Lily does not verify.
 * - `steps.json` keeps each step's last key parts (to explain misses);
 *   `namespaces/<spec_hash>.json` the keys each plan used.
 *
 * A hit is restored only inside the project: every directory on the way is a real directory
 * (never a symbolic link), and the file is written to a new temp file and renamed over the
 * target (a link there is replaced, never followed).
 * @module
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { openRegular, restoreInside, unsafeRelative } from "./safe_path.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { fileDigest, type KeyParts } from "./key.ts";
import { keyFile } from "../util/secret_key.ts";
import { hmacSha256 } from "../util/hmac.ts";

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

/** The journal of entry records, one JSON object a line, appended to, never rewritten in place. */
export const JOURNAL = "records.jsonl";

/** The cache of one project. */
export class CacheStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  #dirs = new Set<string>();
  /** Key → its latest record line (read once, on first use). */
  #records: Map<string, string> | undefined;
  #journal: Deno.FsFile | undefined;

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

  /** Every live record line, by key (the last line of a key wins; a tombstone removes it). */
  records(): Map<string, string> {
    if (this.#records) return this.#records;
    const map = new Map<string, string>();
    let text = "";
    try {
      text = Deno.readTextFileSync(join(this.root, JOURNAL));
    } catch {
      // no cache yet
    }
    for (const line of text.split("\n")) {
      const key = /^\{"key":"([0-9a-f]{64})"/.exec(line)?.[1];
      if (!key) continue; // blank, or torn by a crash: the digest would not match anyway
      if (line.startsWith(`{"key":"${key}","removed":true}`)) map.delete(key);
      else map.set(key, line);
    }
    return this.#records = map;
  }

  #secret: string | undefined;

  /**
   * The cache's HMAC key (`key`, 32 random bytes as hex, mode 0600), made on first use. Two
   * processes making it at once agree: the first link wins and both read it.
   */
  secretKey(): string {
    if (this.#secret) return this.#secret;
    const file = join(this.root, "key");
    try {
      return this.#secret = keyFile(file);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.#mkdir(this.root);
    return this.#secret = keyFile(file);
  }

  #mac: ((...parts: string[]) => string) | undefined;

  /** The HMAC of an entry record under this cache's key. */
  macOf(entry: Entry): string {
    this.#mac ??= hmacSha256(this.secretKey());
    return this.#mac(canonicalJson(entry));
  }

  /** Looks an entry up and verifies its record (blobs are checked on restore). */
  lookup(key: string): Lookup {
    const line = this.records().get(key);
    if (line === undefined) return { hit: false };
    try {
      const { mac, ...entry } = JSON.parse(line) as Entry & { mac?: string };
      if (typeof mac !== "string" || !sameHex(this.macOf(entry), mac) || entry.key !== key) {
        return {
          hit: false,
          corrupt: "the entry's record does not match its digest (its keyed HMAC)",
        };
      }
      for (const out of Object.values(entry.outputs ?? {})) {
        if (out.path !== undefined && unsafeRelative(out.path)) {
          return { hit: false, corrupt: `the entry names \`${out.path}\`, outside the project` };
        }
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
        this.remove(entry.key);
        return `output \`${name}\` is missing from the cache`;
      }
      if (actual !== out.sha256) {
        this.remove(entry.key);
        await Deno.remove(blob).catch(() => {});
        return `output \`${name}\` does not match its recorded sha256`;
      }
      const problem = await restoreInside(projectRoot, out.path, blob);
      if (problem) {
        this.remove(entry.key);
        return `output \`${name}\`: ${problem}`;
      }
    }
    return undefined;
  }

  /**
   * Stores an entry: blobs first (each temp file + rename), then the record, appended to the
   * journal in one write — an entry is complete or absent, and a record costs no new file.
   */
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
      // Hash what is copied: a file rewritten since it was hashed is not stored under a name
      // that does not match its content.
      const copied = await copyHashing(projectRoot, out.path, temp);
      if (copied !== out.sha256) {
        await Deno.remove(temp).catch(() => {});
        throw new Error(`\`${out.path}\` changed while it was being stored`);
      }
      await Deno.rename(temp, blob);
    }
    // The key first: the journal is indexed by that prefix without parsing every line.
    const line = JSON.stringify({
      key: entry.key,
      step: entry.step,
      created: entry.created,
      outputs: entry.outputs,
      mac: this.macOf(entry),
    });
    this.#append(line);
    this.records().set(entry.key, line);
  }

  /** Removes an entry's record (its blobs stay until `gc`, other entries may share them). */
  remove(key: string): void {
    this.#append(`{"key":"${key}","removed":true}`);
    this.records().delete(key);
  }

  /**
   * One write per record, with O_APPEND: concurrent runs interleave whole lines. Each line
   * starts with a newline too, so a line torn by a crash never swallows the next one.
   */
  #append(line: string): void {
    if (!this.#journal) {
      this.#mkdir(this.root);
      this.#journal = Deno.openSync(join(this.root, JOURNAL), {
        append: true,
        create: true,
      });
    }
    const bytes = encoder.encode(`\n${line}\n`);
    let written = 0;
    while (written < bytes.length) written += this.#journal.writeSync(bytes.subarray(written));
  }

  /** Rewrites the journal with only `keep` (purge, gc): temp file + rename. */
  async compact(keep: Map<string, string>): Promise<void> {
    this.close();
    const text = [...keep.values()].map((line) => line + "\n").join("");
    await writeAtomic(join(this.root, JOURNAL), text);
    this.#records = new Map(keep);
  }

  /** Closes the journal. */
  close(): void {
    this.#journal?.close();
    this.#journal = undefined;
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

const encoder = new TextEncoder();

function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

async function copyHashing(root: string, rel: string, to: string): Promise<string> {
  if (unsafeRelative(rel)) throw new Error(`\`${rel}\` is not a path inside the project`);
  const opened = await openRegular(root, rel);
  if ("error" in opened) throw new Error(`\`${rel}\` ${opened.error}`);
  const hash = createHash("sha256");
  using target = await Deno.open(to, { write: true, createNew: true });
  for await (const chunk of opened.file.readable) {
    hash.update(chunk);
    let written = 0;
    while (written < chunk.length) written += await target.write(chunk.subarray(written));
  }
  return hash.digest("hex");
}

/** Writes a file atomically (temp file + rename). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temp, text);
  await Deno.rename(temp, path);
}
