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
  for (const [field, names] of reads.reads) {
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
