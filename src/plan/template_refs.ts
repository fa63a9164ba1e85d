/**
 * Which params and vars each part of a step's key was rendered from, with their values: the
 * lock keeps them (`cache.refs`) so a cache miss can say `the command (params.greeting: hello
 * → yo)`. Explanatory only: they never enter the cache key (the rendered text does).
 * @module
 */
import { digestOf } from "../util/canonical_json.ts";

/** What rendering read, per rendered field, and the values it read them from. */
export interface TemplateReads {
  /** Field (`steps.<id>.with.run`, `env.HOME_DIR`) → the `params.*`/`vars.*` names it read. */
  reads: Map<string, string[]>;
  params: Record<string, unknown>;
  vars: Record<string, unknown>;
}

/** Values longer than this are shown by digest (the lock stays small; a diff stays readable). */
export const MAX_SHOWN_VALUE = 40;

/**
 * The `refs` of a step's cache block: key component → name → value as shown (the value, or
 * `sha256:` and 12 hex digits of it when long or multi-line). Empty when no template was read.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { templateRefs } from "./template_refs.ts";
 * const reads = new Map([["steps.greet.with.run", ["params.greeting"]]]);
 * const refs = templateRefs({ reads, params: { greeting: "hello" }, vars: {} }, "steps.greet");
 * assert(refs.command["params.greeting"] === "hello");
 * ```
 */
export function templateRefs(
  reads: TemplateReads,
  step: string,
): Record<string, Record<string, string>> {
  const components: Record<string, string[]> = {
    command: [`${step}.with.`],
    env: [`${step}.env.`, "env."],
  };
  const refs: Record<string, Record<string, string>> = {};
  for (const [field, names] of fieldsOf(reads.reads, step)) {
    for (const [component, prefixes] of Object.entries(components)) {
      if (!prefixes.some((p) => field.startsWith(p))) continue;
      for (const name of names) {
        const [root, key] = [name.slice(0, name.indexOf(".")), name.slice(name.indexOf(".") + 1)];
        const source = root === "params" ? reads.params : reads.vars;
        (refs[component] ??= {})[name] = shownValue(source[key]);
      }
    }
  }
  return refs;
}

/** The reads of a step's own fields and of the workflow's `env.`, by step (`steps.<id>`). */
interface ReadsIndex {
  size: number;
  /** Each entry with its place in rendering order. */
  byStep: Map<string, [string, string[], number][]>;
}

// Built once per render: scanning every field for every step was quadratic (1000 steps:
// 10^6 prefix tests, a third of compose).
const indexes = new WeakMap<Map<string, string[]>, ReadsIndex>();

/** The fields a step's refs can come from, in the order rendering recorded them. */
function fieldsOf(reads: Map<string, string[]>, step: string): [string, string[]][] {
  let index = indexes.get(reads);
  if (!index || index.size !== reads.size) {
    index = { size: reads.size, byStep: new Map() };
    let at = 0;
    for (const [field, names] of reads) {
      // Step ids have no dots: `steps.<id>.with.run` belongs to `steps.<id>`; `env.X` to all.
      const [first, second] = field.split(".", 2);
      const key = first === "env" ? "env" : `${first}.${second}`;
      const list = index.byStep.get(key) ?? [];
      list.push([field, names, at++]);
      index.byStep.set(key, list);
    }
    indexes.set(reads, index);
  }
  const own = index.byStep.get(step) ?? [];
  const shared = index.byStep.get("env") ?? [];
  return [...own, ...shared].sort((a, b) => a[2] - b[2]).map(([field, names]) => [field, names]);
}

/** A value as a miss explanation shows it. */
export function shownValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
  // deno-lint-ignore no-control-regex
  if (text.length <= MAX_SHOWN_VALUE && !/[\u0000-\u001f\u007f]/.test(text)) return text;
  return `sha256:${digestOf(value ?? null).slice(7, 19)}`;
}

/**
 * `params.greeting: hello → yo` for each param/var a component read whose value differs.
 * Empty when either side has no record (a lock or an entry from an older Lily).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { changedRefs } from "./template_refs.ts";
 * const why = changedRefs({ "params.g": "hello" }, { "params.g": "yo" });
 * assert(why[0] === "params.g: hello → yo");
 * ```
 */
export function changedRefs(
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
): string[] {
  if (!before || !after) return [];
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (before[name] === after[name]) continue;
    out.push(`${name}: ${before[name] ?? "(not read)"} → ${after[name] ?? "(not read)"}`);
  }
  return out;
}
