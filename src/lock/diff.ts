/**
 * Semantic diff of two locks: params, steps (added, removed, changed field by field), pins,
 * policy — and the cache impact: which steps' keys change (and why), which may re-run because
 * an input comes from a step that re-runs, and which stay cached.
 * @module
 */
import { type ForeachChange, foreachChanges } from "./foreach_view.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { COMPONENT_NAMES } from "../plan/cache_key.ts";
import { changedRefs } from "../plan/template_refs.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { includedFrom, withFragment } from "./include_diff.ts";

/** One changed value. */
export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** What happens to a step's cache entry. */
export type Impact =
  | { step: string; status: "added" }
  | { step: string; status: "removed" }
  | { step: string; status: "reruns"; reasons: string[] }
  | { step: string; status: "may-rerun"; reasons: string[] }
  | { step: string; status: "cached" };

/** The whole diff. */
export interface LockDiff {
  same: boolean;
  spec_hash: { before: string; after: string };
  params: Change[];
  steps: { added: string[]; removed: string[]; changed: Record<string, Change[]> };
  pins: Change[];
  policy: Change[];
  other: Change[];
  cache: Impact[];
  /** Items added and removed per foreach (their sub-steps are also in `steps`). */
  foreach: ForeachChange[];
  /** Included steps among those listed, by id → their fragment (`uses: include`). */
  included_from?: Record<string, string>;
}

/**
 * Compares two locks.
 *
 * @example
 * ```ts ignore
 * const d = diffLocks(await readLockFile("a.lock.yaml"), await readLockFile("b.lock.yaml"));
 * console.log(d.cache.filter((i) => i.status === "reruns").map((i) => i.step));
 * ```
 */
export function diffLocks(a: LockFile, b: LockFile): LockDiff {
  const params = changes(paramValues(a), paramValues(b), "params", 1);
  const stepsA = stepMap(a);
  const stepsB = stepMap(b);
  const added = [...stepsB.keys()].filter((id) => !stepsA.has(id)).sort();
  const removed = [...stepsA.keys()].filter((id) => !stepsB.has(id)).sort();
  const changed: Record<string, Change[]> = {};
  for (const [id, before] of stepsA) {
    const after = stepsB.get(id);
    if (!after) continue;
    const list = changes(stepFields(before), stepFields(after), "", 4);
    if (list.length) changed[id] = list;
  }
  const pins = changes(a.registry_pins, b.registry_pins, "registry_pins", 3);
  const policy = changes(a.env_policy, b.env_policy, "env_policy", 1);
  const other = [
    ...changes({ env: a.env, vars: a.vars }, { env: b.env, vars: b.vars }, "", 2),
    ...changes(a.execution_contract, b.execution_contract, "execution_contract", 1),
    ...changes(a.artifacts, b.artifacts, "artifacts", 2),
    ...changes({ name: a.name }, { name: b.name }, "", 1),
  ];
  return {
    same: a.spec_hash === b.spec_hash && pins.length === 0,
    spec_hash: { before: a.spec_hash, after: b.spec_hash },
    params,
    steps: { added, removed, changed },
    pins,
    policy,
    other,
    cache: cacheImpact(a, b, stepsA, stepsB),
    foreach: foreachChanges(a, b),
    ...includedFrom(a, b),
  };
}

function stepMap(lock: LockFile): Map<string, LockStep> {
  return new Map([...lock.plan.steps, ...lock.plan.on_error].map((s) => [s.id, s]));
}

function paramValues(lock: LockFile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(lock.params)) {
    out[name] = "secret" in p ? `<secret from ${p.source}>` : p.value;
  }
  return out;
}

/** The fields a reader compares (the cache block is reported as impact instead). */
function stepFields(step: LockStep): Record<string, unknown> {
  const { cache, ...rest } = step;
  return { ...rest, cache_policy: cache.policy };
}

/** Leaf-level differences down to `depth` levels, as dotted paths. */
function changes(a: unknown, b: unknown, prefix: string, depth: number): Change[] {
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return [];
  const isMap = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (depth > 0 && isMap(a) && isMap(b)) {
    const out: Change[] = [];
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const key of keys) {
      out.push(
        ...changes(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          prefix ? `${prefix}.${key}` : key,
          depth - 1,
        ),
      );
    }
    return out;
  }
  return [{ path: prefix, before: a, after: b }];
}

function cacheImpact(
  a: LockFile,
  b: LockFile,
  stepsA: Map<string, LockStep>,
  stepsB: Map<string, LockStep>,
): Impact[] {
  const impacts = new Map<string, Impact>();
  const paramsA = paramValues(a);
  const paramsB = paramValues(b);
  const ordered = [...b.plan.steps, ...b.plan.on_error];
  const formulaChanged =
    a.execution_contract.cache_key_formula !== b.execution_contract.cache_key_formula;
  for (const step of ordered) {
    const before = stepsA.get(step.id);
    if (!before) {
      impacts.set(step.id, { step: step.id, status: "added" });
      continue;
    }
    const reasons: string[] = [];
    const maybe: string[] = [];
    if (formulaChanged) reasons.push("the cache-key formula changed");
    for (const [component, digest] of Object.entries(step.cache.components)) {
      if (before.cache.components[component] !== digest) {
        const why = changedRefs(before.cache.refs?.[component], step.cache.refs?.[component]);
        reasons.push(
          `${COMPONENT_NAMES[component] ?? component} changed${
            why.length ? ` (${why.join(", ")})` : ""
          }`,
        );
      }
    }
    if (before.cache.policy !== step.cache.policy) {
      reasons.push(`the cache policy changed (${before.cache.policy} → ${step.cache.policy})`);
    }
    for (const [name, io] of Object.entries(step.inputs)) {
      const was = before.inputs[name];
      if (was && was.from !== io.from) {
        reasons.push(`input \`${name}\` now comes from \`${io.from ?? io.path}\``);
      }
      const param = /^params\.(.+)$/.exec(io.from ?? "")?.[1];
      if (
        param && canonicalJson(paramsA[param] ?? null) !== canonicalJson(paramsB[param] ?? null)
      ) {
        reasons.push(
          `input \`${name}\`: \`params.${param}\` changed (${fmt(paramsA[param])} → ${
            fmt(paramsB[param])
          })`,
        );
      }
      const upstream = /^steps\.(.+)\.outputs\./.exec(io.from ?? "")?.[1];
      if (upstream) {
        const up = impacts.get(upstream);
        if (up && (up.status === "reruns" || up.status === "may-rerun" || up.status === "added")) {
          maybe.push(
            `input \`${name}\` comes from \`${upstream}\`, which ${
              up.status === "added" ? "is new" : "re-runs"
            }`,
          );
        }
      }
    }
    for (const binary of step.cache.pins) {
      const pa = a.registry_pins.binaries[binary];
      const pb = b.registry_pins.binaries[binary];
      if (canonicalJson(pa ?? null) !== canonicalJson(pb ?? null)) {
        reasons.push(`the pin of \`${binary}\` changed`);
      }
    }
    if (step.cache.policy === "never") {
      impacts.set(step.id, {
        step: step.id,
        status: "reruns",
        reasons: ["cache policy `never`: runs every time"],
      });
    } else if (reasons.length) {
      impacts.set(step.id, { step: step.id, status: "reruns", reasons });
    } else if (maybe.length) {
      impacts.set(step.id, { step: step.id, status: "may-rerun", reasons: maybe });
    } else {
      impacts.set(step.id, { step: step.id, status: "cached" });
    }
  }
  for (const id of stepsA.keys()) {
    if (!stepsB.has(id)) impacts.set(id, { step: id, status: "removed" });
  }
  return [...impacts.values()];
}

function fmt(value: unknown): string {
  return JSON.stringify(value) ?? "unset";
}

/** Options for {@linkcode formatDiff}. */
export interface FormatDiffOptions {
  color?: boolean;
  labels?: [string, string];
}

/** The diff as text for a terminal. */
export function formatDiff(diff: LockDiff, options: FormatDiffOptions = {}): string {
  const c = (code: string) => (s: string) => options.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  const red = c("31"), green = c("32"), yellow = c("33"), bold = c("1"), dim = c("2");
  const out: string[] = [];
  const [la, lb] = options.labels ?? ["a", "b"];
  out.push(bold(`--- ${la}  ${diff.spec_hash.before.slice(0, 19)}`));
  out.push(bold(`+++ ${lb}  ${diff.spec_hash.after.slice(0, 19)}`));
  if (diff.same) {
    out.push(
      "",
      "The locks are semantically identical: same plan, same pins. Every cached step stays cached.",
    );
    return out.join("\n");
  }
  const section = (title: string, list: Change[]) => {
    if (!list.length) return;
    out.push("", bold(title));
    for (const ch of list) {
      out.push(`  ${ch.path}: ${red(fmt(ch.before))} → ${green(fmt(ch.after))}`);
    }
  };
  section("params", diff.params);
  const { added, removed, changed } = diff.steps;
  if (added.length || removed.length || Object.keys(changed).length) {
    out.push("", bold("steps"));
    for (const id of added) out.push(green(`  + ${withFragment(diff, id)}`));
    for (const id of removed) out.push(red(`  - ${withFragment(diff, id)}`));
    for (const [id, list] of Object.entries(changed)) {
      out.push(yellow(`  ~ ${withFragment(diff, id)}`));
      for (const ch of list) {
        out.push(`      ${ch.path}: ${red(fmt(ch.before))} → ${green(fmt(ch.after))}`);
      }
    }
  }
  if (diff.foreach.length) {
    out.push("", bold("foreach items"));
    for (const f of diff.foreach) {
      const parts = [
        ...f.added.map((k) => green(`+${k}`)),
        ...f.removed.map((k) => red(`-${k}`)),
      ];
      out.push(`  ${f.step}: ${parts.join(" ")}`);
    }
  }
  section("pins", diff.pins);
  section("policy", diff.policy);
  section("other", diff.other);
  out.push("", bold("cache impact"));
  const count = (s: Impact["status"]) => diff.cache.filter((i) => i.status === s).length;
  for (const impact of diff.cache) {
    switch (impact.status) {
      case "added":
        out.push(green(`  + ${impact.step}  new step: runs`));
        break;
      case "removed":
        out.push(dim(`  - ${impact.step}  removed (its entries stay until \`lily cache gc\`)`));
        break;
      case "reruns":
        out.push(red(`  ↻ ${impact.step}  re-runs: ${impact.reasons.join("; ")}`));
        break;
      case "may-rerun":
        out.push(
          yellow(
            `  ? ${impact.step}  may re-run (only if those outputs change): ${
              impact.reasons.join("; ")
            }`,
          ),
        );
        break;
      case "cached":
        out.push(dim(`  = ${impact.step}  stays cached`));
        break;
    }
  }
  out.push(
    "",
    `${count("reruns")} re-run, ${count("may-rerun")} may re-run, ${count("cached")} stay cached, ${
      count("added")
    } added, ${count("removed")} removed`,
  );
  return out.join("\n");
}
