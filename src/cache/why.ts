/**
 * `lily explain --why STEP`: the cache decision of the last run that ran a step, and which
 * key components changed since the entry before it.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import type { Manifest } from "../schema/events.ts";
import type { LockFile } from "../schema/lock.ts";

/** Options for {@linkcode explainWhy}. */
export interface WhyOptions {
  lockPath?: string;
  projectRoot?: string;
  json?: boolean;
}

/** The explanation, as text (or JSON text). */
export async function explainWhy(
  lock: LockFile,
  stepId: string,
  options: WhyOptions = {},
): Promise<string> {
  const root = options.projectRoot ??
    (options.lockPath
      ? resolve(dirname(resolve(options.lockPath)), lock.provenance.project_root)
      : Deno.cwd());
  const runsDir = join(root, ".lily", "runs");
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(runsDir)) if (e.isDirectory) ids.push(e.name);
  } catch {
    // no runs yet
  }
  ids.sort().reverse();
  for (const id of ids) {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(join(runsDir, id, "manifest.json")));
    } catch {
      continue;
    }
    // Only runs of this workflow: another workflow's step `a` says nothing about this one's.
    if (manifest.name !== lock.name) continue;
    const step = manifest.steps[stepId];
    if (!step || step.status === "pending") continue;
    const events = await readEvents(join(runsDir, id, "events.jsonl"), stepId);
    const miss = events.find((e) => e.type === "step.cache_miss");
    const result = {
      run: id,
      spec_hash_matches: manifest.spec_hash === lock.spec_hash,
      status: step.status,
      decision: step.cache.decision,
      key: step.cache.key,
      reason: step.cache.reason || step.reason || "",
      changed: (miss?.changed as string[] | undefined) ?? [],
    };
    if (options.json) return JSON.stringify(result, null, 2);
    const lines = [
      `${stepId} in run ${id}${
        result.spec_hash_matches ? "" : " (a different lock)"
      }: ${step.status}`,
      `  cache: ${result.decision}${result.key ? ` (key ${result.key.slice(0, 16)})` : ""}`,
      `  why: ${result.reason}`,
    ];
    // "the command (params.x: a → b)" reads "- the command changed (params.x: a → b)".
    const line = (c: string) => c.replace(/^(.*?)( \(.*\))?$/, "    - $1 changed$2");
    if (result.changed.length) lines.push(...result.changed.map(line));
    return lines.join("\n");
  }
  return options.json
    ? JSON.stringify({ run: null, reason: "no run has recorded this step yet" })
    : `${stepId}: no run has recorded this step yet (run it with \`lily run\`)`;
}

async function readEvents(path: string, stepId: string): Promise<Record<string, unknown>[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter((l) => l.includes(`"step":${JSON.stringify(stepId)}`)).map((l) =>
      JSON.parse(l)
    );
  } catch {
    return [];
  }
}
