/**
 * Cache administration: status (entries, size, per namespace, recent hit rate), purge (by
 * namespace, age, or all) and gc to a size budget (least recently created first).
 * @module
 */
import { join } from "node:path";
import type { Manifest } from "../schema/events.ts";
import type { CacheStore, Entry } from "./store.ts";

/** One entry on disk. */
export interface EntryInfo {
  key: string;
  size: number;
  created: number;
}

/** Lists every entry with the size of its record and files. */
export function listEntries(store: CacheStore): EntryInfo[] {
  const out: EntryInfo[] = [];
  for (const [key, line] of store.records()) {
    let size = line.length + 1;
    let created = 0;
    try {
      const entry = JSON.parse(line) as Entry;
      created = Date.parse(entry.created) || 0;
      for (const o of Object.values(entry.outputs)) size += o.size ?? 0;
    } catch {
      // corrupt record: counted by its own size
    }
    out.push({ key, size, created });
  }
  return out;
}

/** Removes the records of `keys` (one journal rewrite), then blobs no entry refers to. */
async function removeEntries(store: CacheStore, keys: Set<string>): Promise<void> {
  const keep = new Map([...store.records()].filter(([key]) => !keys.has(key)));
  await store.compact(keep);
  await sweepBlobs(store);
}

/** Removes blobs no entry refers to. */
export async function sweepBlobs(store: CacheStore): Promise<number> {
  const used = new Set<string>();
  for (const line of store.records().values()) {
    try {
      const entry = JSON.parse(line) as Entry;
      for (const o of Object.values(entry.outputs)) if (o.sha256) used.add(o.sha256);
    } catch {
      // skip
    }
  }
  let removed = 0;
  try {
    for await (const prefix of Deno.readDir(join(store.root, "blobs"))) {
      for await (const b of Deno.readDir(join(store.root, "blobs", prefix.name))) {
        if (!used.has(b.name)) {
          await Deno.remove(join(store.root, "blobs", prefix.name, b.name)).catch(() => {});
          removed++;
        }
      }
    }
  } catch {
    // none
  }
  return removed;
}

/** Namespaces (spec hashes) and their keys. */
export async function namespaces(store: CacheStore): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  try {
    for await (const e of Deno.readDir(join(store.root, "namespaces"))) {
      if (!e.name.endsWith(".json")) continue;
      out.set(
        `sha256:${e.name.slice(0, -5)}`,
        JSON.parse(await Deno.readTextFile(join(store.root, "namespaces", e.name))),
      );
    }
  } catch {
    // none
  }
  return out;
}

/** Hit rate of the last `n` runs of the project. */
export async function recentHitRate(
  projectRoot: string,
  n = 10,
): Promise<{ runs: number; hits: number; misses: number }> {
  const dir = join(projectRoot, ".lily", "runs");
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) ids.push(e.name);
  } catch {
    return { runs: 0, hits: 0, misses: 0 };
  }
  let hits = 0, misses = 0, runs = 0;
  for (const id of ids.sort().reverse().slice(0, n)) {
    try {
      const m: Manifest = JSON.parse(await Deno.readTextFile(join(dir, id, "manifest.json")));
      runs++;
      for (const s of Object.values(m.steps)) {
        if (s.cache.decision === "hit") hits++;
        else if (s.cache.decision === "miss") misses++;
      }
    } catch {
      // unreadable run
    }
  }
  return { runs, hits, misses };
}

/** Options for {@linkcode purge}. */
export interface PurgeOptions {
  namespace?: string;
  olderThanMs?: number;
  all?: boolean;
}

/** Removes entries; returns how many and their total size. */
export async function purge(
  store: CacheStore,
  options: PurgeOptions,
): Promise<{ removed: number; bytes: number }> {
  const entries = listEntries(store);
  let targets = entries;
  if (options.namespace) {
    const spaces = await namespaces(store);
    const ns = options.namespace.startsWith("sha256:")
      ? options.namespace
      : `sha256:${options.namespace}`;
    const mine = new Set(spaces.get(ns) ?? [...spaces].find(([k]) => k.startsWith(ns))?.[1] ?? []);
    const others = new Set(
      [...spaces].filter(([k]) => !k.startsWith(ns)).flatMap(([, keys]) => keys),
    );
    targets = targets.filter((e) => mine.has(e.key) && !others.has(e.key));
    for (const [k] of spaces) {
      if (k.startsWith(ns)) {
        await Deno.remove(join(store.root, "namespaces", `${k.slice(7)}.json`)).catch(() => {});
      }
    }
  }
  if (options.olderThanMs !== undefined) {
    const cutoff = Date.now() - options.olderThanMs;
    targets = targets.filter((e) => e.created < cutoff);
  }
  if (!options.all && !options.namespace && options.olderThanMs === undefined) targets = [];
  let bytes = 0;
  for (const e of targets) bytes += e.size;
  await removeEntries(store, new Set(targets.map((e) => e.key)));
  return { removed: targets.length, bytes };
}

/** Removes the oldest entries until the cache is at most `maxBytes`. */
export async function gc(
  store: CacheStore,
  maxBytes: number,
): Promise<{ removed: number; bytes: number; remaining: number }> {
  const entries = listEntries(store).sort((a, b) => a.created - b.created);
  let total = entries.reduce((n, e) => n + e.size, 0);
  let bytes = 0;
  const doomed = new Set<string>();
  for (const e of entries) {
    if (total <= maxBytes) break;
    doomed.add(e.key);
    total -= e.size;
    bytes += e.size;
  }
  await removeEntries(store, doomed);
  return { removed: doomed.size, bytes, remaining: total };
}

/** Parses `500MB`, `2G`, `1024`. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "b").toLowerCase()[0];
  return Math.round(Number(m[1]) * ({ b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit as "b"]));
}

/** Formats bytes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
