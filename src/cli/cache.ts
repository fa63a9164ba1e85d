/**
 * `lily cache status|purge|gc`.
 * @module
 */
import { join, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import { parseDuration } from "../util/duration.ts";
import { command, parse } from "./_common.ts";
import { projectRootFrom } from "./_project_root.ts";

/** Runs `lily cache`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "cache",
    "Inspect and clean the content-addressed cache (.lily/cache of the project).\n" +
      "Entries are shared by every plan; a namespace (a lock's spec_hash) lists the keys its runs used.",
    `  lily cache status
  lily cache purge --namespace sha256:3f2a…     # entries only that plan used
  lily cache purge --older-than 30d
  lily cache purge --all
  lily cache gc --max-size 2GB                  # oldest entries first`,
  )
    .argument("<action>", "status, purge or gc")
    .option("--project <dir>", "project root (default: found from the current directory up)")
    .option("--namespace <spec-hash>", "purge: entries used only by this plan")
    .option("--older-than <duration>", "purge: entries older than this (e.g. 12h, 30d)")
    .option("--all", "purge: every entry")
    .option("--max-size <size>", "gc: shrink the cache to this size (e.g. 500MB, 2GB)")
    .option("--json", "machine-readable output");
  if (!await parse(program, args)) return 0;
  const [action] = program.args;
  const opts = program.opts<
    {
      project?: string;
      namespace?: string;
      olderThan?: string;
      all?: boolean;
      maxSize?: string;
      json?: boolean;
    }
  >();
  const root = opts.project ? resolve(opts.project) : projectRootFrom(Deno.cwd());
  const { CacheStore } = await import("../cache/store.ts");
  const admin = await import("../cache/admin.ts");
  const store = new CacheStore(join(root, ".lily", "cache"));
  if (action === "status") {
    const entries = admin.listEntries(store);
    const spaces = await admin.namespaces(store);
    const rate = await admin.recentHitRate(root);
    const size = entries.reduce((n, e) => n + e.size, 0);
    const sizeOf = new Map(entries.map((e) => [e.key, e.size]));
    if (opts.json) {
      console.log(
        JSON.stringify(
          {
            entries: entries.length,
            bytes: size,
            namespaces: Object.fromEntries(
              [...spaces].map(([k, v]) => [k, {
                keys: v.length,
                bytes: v.reduce((n, key) => n + (sizeOf.get(key) ?? 0), 0),
              }]),
            ),
            recent: rate,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    console.log(`cache: ${store.root}`);
    console.log(`entries: ${entries.length}, ${admin.formatSize(size)}`);
    for (const [ns, keys] of spaces) {
      const present = keys.filter((k) => sizeOf.has(k));
      console.log(
        `  ${ns.slice(0, 19)}  ${present.length} ${present.length === 1 ? "entry" : "entries"}, ${
          admin.formatSize(present.reduce((n, k) => n + sizeOf.get(k)!, 0))
        }`,
      );
    }
    const total = rate.hits + rate.misses;
    console.log(
      `hit rate of the last ${rate.runs} runs: ${
        total ? Math.round((rate.hits / total) * 100) : 0
      }% (${rate.hits} hits, ${rate.misses} misses)`,
    );
    return 0;
  }
  if (action === "purge") {
    let olderThanMs: number | undefined;
    if (opts.olderThan) {
      const m = /^(\d+)d$/.exec(opts.olderThan);
      olderThanMs = m ? Number(m[1]) * 86_400_000 : parseDuration(opts.olderThan);
      if (olderThanMs === undefined) {
        throw new LilyError("LILY-E0003", `\`${opts.olderThan}\` is not a duration`, {
          flag: `--older-than ${opts.olderThan}`,
          hint: "e.g. 12h or 30d",
        });
      }
    }
    if (!opts.all && !opts.namespace && olderThanMs === undefined) {
      throw new LilyError("LILY-E0003", "purge needs --namespace, --older-than or --all", {
        flag: "lily cache purge",
      });
    }
    if (opts.namespace !== undefined) {
      const known = [...(await admin.namespaces(store)).keys()];
      if (!known.includes(opts.namespace)) {
        throw new LilyError("LILY-E0053", `no cache namespace \`${opts.namespace}\``, {
          flag: `--namespace ${opts.namespace}`,
          hint: known.length
            ? `a namespace is a lock's full spec_hash; known here: ${
              known.slice(0, 5).map((k) => `\`${k}\``).join(", ")
            }${known.length > 5 ? ", …" : ""} (\`lily cache status\` lists them)`
            : "this cache has no namespaces yet (a run of a lock records one)",
        });
      }
    }
    const result = await admin.purge(store, {
      namespace: opts.namespace,
      olderThanMs,
      all: opts.all,
    });
    console.log(
      `removed ${result.removed} ${result.removed === 1 ? "entry" : "entries"} (${
        admin.formatSize(result.bytes)
      })`,
    );
    return 0;
  }
  if (action === "gc") {
    const max = opts.maxSize === undefined ? undefined : admin.parseSize(opts.maxSize);
    if (max === undefined) {
      throw new LilyError("LILY-E0003", "gc needs --max-size SIZE", {
        flag: `--max-size ${opts.maxSize ?? ""}`,
        hint: "e.g. --max-size 500MB",
      });
    }
    const result = await admin.gc(store, max);
    console.log(
      `removed ${result.removed} ${result.removed === 1 ? "entry" : "entries"} (${
        admin.formatSize(result.bytes)
      }); ${admin.formatSize(result.remaining)} left`,
    );
    return 0;
  }
  throw new LilyError("LILY-E0003", `unknown cache action \`${action}\``, {
    flag: `lily cache ${action}`,
    hint: "use status, purge or gc",
  });
}
