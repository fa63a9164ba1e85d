/**
 * How `explain` and `diff` show foreach steps (steps/foreach.ts): a collector's items (or its
 * rule, for items known at run time), a sub-step's item, and the items two locks disagree on.
 * Reads lock steps only.
 * @module
 */
import type { LockFile, LockStep } from "../schema/lock.ts";
import type { CollectorWith } from "../steps/foreach.ts";

/** What explain shows of a foreach (JSON form), or undefined for any other step. */
export function foreachSummary(step: LockStep): Record<string, unknown> | undefined {
  if (step.uses !== "foreach") {
    const item = step.env.LILY_INPUT_ITEM;
    const at = step.id.indexOf("@");
    return item !== undefined && at > 0
      ? { of: step.id.slice(0, at), key: step.id.slice(at + 1), item }
      : undefined;
  }
  const w = step.with as unknown as CollectorWith;
  return {
    source: w.source,
    at: w.rule ? "run" : "compose",
    keys: w.keys ?? null,
    max_parallel: w.max_parallel,
    fail_fast: w.fail_fast,
    ...(w.rule
      ? { key: w.rule.key, step: { uses: w.rule.step.uses, with: w.rule.step.with } }
      : {}),
  };
}

/**
 * The lines explain prints under a foreach step or one of its sub-steps.
 *
 * @example
 * ```ts
 * import { foreachLines } from "./foreach_view.ts";
 * const step = { id: "t", uses: "foreach", with: { source: "list", keys: ["a", "b"],
 *   max_parallel: 1, fail_fast: false } };
 * // deno-lint-ignore no-explicit-any
 * if (!foreachLines(step as any)[0].includes("2 items: a, b")) throw new Error("explain");
 * ```
 */
export function foreachLines(step: LockStep): string[] {
  const s = foreachSummary(step);
  if (!s) return [];
  if (step.uses !== "foreach") return [`item of \`${s.of}\`: ${truncate(String(s.item), 60)}`];
  const limits = [
    s.max_parallel !== null ? `max_parallel ${s.max_parallel}` : "",
    s.fail_fast ? "fail_fast" : "",
  ].filter(Boolean).join(" · ");
  const tail = limits ? ` · ${limits}` : "";
  if (s.at === "run") {
    const inner = s.step as { uses: string; with: Record<string, unknown> };
    const command = String(inner.with.run ?? (inner.with.argv as string[] ?? []).join(" "));
    return [
      `foreach over ${s.source} (known at run time; keys \`${s.key}\`)${tail}`,
      `each item: ${inner.uses}  ${truncate(command.split("\n")[0], 60)}`,
    ];
  }
  const keys = s.keys as string[];
  const shown = keys.length > 8 ? [...keys.slice(0, 8), `… (${keys.length - 8} more)`] : keys;
  return [
    `foreach over ${s.source}: ${keys.length} item${keys.length === 1 ? "" : "s"}: ${
      shown.join(", ")
    }${tail}`,
  ];
}

/** Items two locks disagree on, per foreach present in either. */
export interface ForeachChange {
  step: string;
  added: string[];
  removed: string[];
}

/** The item keys added and removed, per foreach (compose-time items only). */
export function foreachChanges(a: LockFile, b: LockFile): ForeachChange[] {
  const keysOf = (lock: LockFile) =>
    new Map(
      lock.plan.steps.filter((s) => s.uses === "foreach").map((s) => [
        s.id,
        (s.with as unknown as CollectorWith).keys ?? [],
      ]),
    );
  const before = keysOf(a), after = keysOf(b);
  const out: ForeachChange[] = [];
  for (const id of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const x = before.get(id) ?? [], y = after.get(id) ?? [];
    const added = y.filter((k) => !x.includes(k));
    const removed = x.filter((k) => !y.includes(k));
    if (added.length || removed.length) out.push({ step: id, added, removed });
  }
  return out;
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
