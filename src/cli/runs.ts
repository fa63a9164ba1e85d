/**
 * `lily runs` and `lily runs show ID`.
 * @module
 */
import { join, resolve } from "node:path";
import { LilyError } from "../errors.ts";
import { pickRun } from "./_run_id.ts";
import type { Manifest } from "../schema/events.ts";
import { command, parse } from "./_common.ts";
import { projectRootFrom } from "./_project_root.ts";

/** Runs `lily runs`. */
export async function main(args: string[]): Promise<number> {
  const program = command(
    "runs",
    "List recent runs of the project, or show one: steps, timings, cache decisions, and the\n" +
      "tail of each failed step's log. Run records live in .lily/runs/<run-id>/.",
    `  lily runs
  lily runs show 20261124T101500Z-3fa2c1
  lily runs show latest --json`,
  )
    .argument("[action]", "`show` to show one run")
    .argument("[id]", "run id (or a prefix, or `latest`)")
    .option("--project <dir>", "project root (default: found from the current directory up)")
    .option("-n, --limit <n>", "runs to list", "20")
    .option("--json", "machine-readable output");
  if (!await parse(program, args)) return 0;
  const [action, id] = program.args;
  const opts = program.opts<{ project?: string; limit: string; json?: boolean }>();
  const dir = join(
    opts.project ? resolve(opts.project) : projectRootFrom(Deno.cwd()),
    ".lily",
    "runs",
  );
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) ids.push(e.name);
  } catch {
    // none
  }
  ids.sort().reverse();
  const read = async (runId: string): Promise<Manifest | undefined> => {
    try {
      return JSON.parse(await Deno.readTextFile(join(dir, runId, "manifest.json")));
    } catch {
      return undefined;
    }
  };
  if (action === undefined) {
    const list = [];
    for (const runId of ids.slice(0, Number(opts.limit))) {
      const m = await read(runId);
      if (m) list.push(m);
    }
    if (opts.json) {
      console.log(JSON.stringify(list.map(({ steps: _, ...m }) => m), null, 2));
      return 0;
    }
    if (!list.length) console.log("no runs yet");
    for (const m of list) {
      const c = m.counts;
      console.log(
        `${m.run_id}  ${m.status.padEnd(9)}  ${m.name}  ${(m.duration_ms / 1000).toFixed(1)}s  ${
          c.succeeded ?? 0
        } ran, ${c.cached ?? 0} cached, ${c.failed ?? 0} failed`,
      );
    }
    return 0;
  }
  if (action !== "show") {
    throw new LilyError("LILY-E0003", `unknown action \`${action}\``, {
      flag: `lily runs ${action}`,
      hint: "use `lily runs` or `lily runs show ID`",
    });
  }
  const runId = pickRun(ids, id, "lily runs show");
  const m = runId ? await read(runId) : undefined;
  if (!m) {
    throw new LilyError("LILY-E0804", `no run \`${id ?? "latest"}\``, {
      flag: `lily runs show ${id ?? ""}`,
      hint: "list runs with `lily runs`",
    });
  }
  if (opts.json) {
    console.log(JSON.stringify(m, null, 2));
    return 0;
  }
  console.log(
    `${m.run_id}  ${m.name}  ${m.status}  ${(m.duration_ms / 1000).toFixed(2)}s  ${
      m.spec_hash.slice(0, 19)
    }`,
  );
  for (const [stepId, s] of Object.entries(m.steps)) {
    const time = s.duration_ms ? `${Math.round(s.duration_ms)} ms` : "";
    console.log(
      `  ${stepId.padEnd(20)} ${s.status.padEnd(9)} ${time.padStart(8)}  ${
        s.attempts > 1 ? `${s.attempts} attempts  ` : ""
      }cache ${s.cache.decision}${s.cache.reason ? `: ${s.cache.reason}` : ""}${
        s.reason ? `  (${s.reason})` : ""
      }`,
    );
    for (const [name, out] of Object.entries(s.outputs ?? {})) {
      const shownValue = out.path !== undefined
        ? `${out.path}${out.sha256 ? `  sha256:${out.sha256.slice(0, 12)}` : ""}${
          out.size !== undefined ? `  ${out.size} B` : ""
        }`
        : JSON.stringify(out.value);
      console.log(`      output ${name} = ${shownValue}`);
    }
    if (s.logs.length > 1) {
      console.log(`      logs: ${s.logs.map((l) => `.lily/runs/${m.run_id}/${l}`).join(", ")}`);
    }
    if (s.status === "failed") {
      if (s.error) console.log(`      error: ${s.error}`);
      if (s.denied) console.log(`      = hint: ${s.denied.hint}`);
      for (const note of s.notes ?? []) console.log(`      = note: ${note}`);
      const log = s.logs[s.logs.length - 1];
      if (log) {
        try {
          const tail = (await Deno.readTextFile(join(dir, m.run_id, log))).trimEnd().split("\n")
            .slice(-20);
          for (const line of tail) console.log(`      │ ${line}`);
        } catch {
          // log gone
        }
      }
    }
  }
  return 0;
}
