/**
 * A nunjucks environment that cannot reach code or the host: no loaders, a whitelist of
 * filters, bounded `range`, no `cycler`/`joiner`, and the runtime's member lookup, calls,
 * name lookup, output and iteration hooks replaced by checked versions.
 * @module
 */
import nunjucks from "nunjucks";
import { checkFilterArgs, checkFilterResult } from "./filter_budget.ts";
import {
  MAX_ITERATIONS,
  outputText,
  Refusal,
  refuseBlocked,
  safeMember,
  SecretRef,
  secretRefusal,
} from "./guards.ts";
import { BUILTIN_FILTERS, LILY_FILTERS } from "./filters.ts";
import { shellOutput, shellRecorder } from "./shell_mode.ts";

/** Per-render budget (renders are synchronous, one at a time). */
export const budget = { iterations: 0 };

class NoLoader {
  getSource(name: string): never {
    throw new Refusal("LILY-E0402", `templates cannot load other templates (\`${name}\`)`);
  }
}

const CALLABLE = new WeakSet<object>();

function boundedRange(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  for (const n of [start, stop, step]) {
    if (typeof n !== "number" || !Number.isFinite(n)) {
      throw new Refusal("LILY-E0413", "`range` takes numbers");
    }
  }
  if (step === 0) throw new Refusal("LILY-E0413", "`range` step cannot be 0");
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_ITERATIONS) {
    throw new Refusal(
      "LILY-E0408",
      `\`range\` of ${count} items is over the limit of ${MAX_ITERATIONS}`,
    );
  }
  return Array.from({ length: count }, (_, i) => start + i * step);
}

let environment: nunjucks.Environment | undefined;

/** The hardened environment (created once; the runtime hooks are process-wide). */
export function hardenedEnvironment(): nunjucks.Environment {
  if (environment) return environment;
  // deno-lint-ignore no-explicit-any
  const runtime = (nunjucks as any).runtime;
  runtime.memberLookup = (obj: unknown, key: unknown) => safeMember(obj, key, "value");
  runtime.callWrap = (fn: unknown, name: string, context: unknown, args: unknown[]) => {
    if (typeof fn !== "function" || !CALLABLE.has(fn)) {
      throw new Refusal(
        "LILY-E0405",
        `\`${name}\` cannot be called in a template`,
        "only `range`, `now`, `uuid` and `env` can be called; filters use `|`",
        name,
      );
    }
    return fn.apply(context, args);
  };
  runtime.contextOrFrameLookup = (
    context: { ctx: Record<string, unknown>; env: { globals: Record<string, unknown> } },
    frame: { lookup(name: string): unknown },
    name: string,
  ) => {
    refuseBlocked(name);
    const local = frame.lookup(name);
    if (local !== undefined) return local;
    if (Object.hasOwn(context.ctx, name)) return context.ctx[name];
    if (Object.hasOwn(context.env.globals, name)) return context.env.globals[name];
    return undefined;
  };
  runtime.suppressValue = (value: unknown) => shellOutput(value) ?? outputText(value);
  // Called just before each output, with the position of its `{{` (0-based).
  runtime.ensureDefined = (value: unknown, lineno?: number, colno?: number) => {
    const recording = shellRecorder();
    if (recording && typeof lineno === "number" && typeof colno === "number") {
      recording.at = { line: lineno + 1, col: colno + 1 };
    }
    if (value === null || value === undefined) {
      throw new Refusal("LILY-E0403", "attempted to output a null or undefined value");
    }
    return value;
  };
  const fromIterator = runtime.fromIterator;
  runtime.fromIterator = (value: unknown) => {
    if (value instanceof SecretRef) throw secretRefusal(value.name);
    const items = fromIterator(value);
    const size = Array.isArray(items)
      ? items.length
      : items && typeof items === "object"
      ? Object.keys(items).length
      : 0;
    budget.iterations += size;
    if (budget.iterations > MAX_ITERATIONS) {
      throw new Refusal(
        "LILY-E0408",
        `the template loops more than ${MAX_ITERATIONS} times`,
        "templates render configuration, not data: move the loop into a step",
      );
    }
    return items;
  };
  const env = new nunjucks.Environment(new NoLoader() as unknown as nunjucks.ILoader, {
    autoescape: false,
    throwOnUndefined: true,
  });
  // deno-lint-ignore no-explicit-any
  const anyEnv = env as any;
  for (const name of Object.keys(anyEnv.filters)) {
    if (!(BUILTIN_FILTERS as readonly string[]).includes(name)) delete anyEnv.filters[name];
  }
  for (const [name, filter] of Object.entries(LILY_FILTERS)) {
    env.addFilter(name, filter as (...args: unknown[]) => unknown);
  }
  // Every filter is bounded by the output budget (filter_budget.ts).
  for (
    const [name, filter] of Object.entries(
      anyEnv.filters as Record<string, (...args: unknown[]) => unknown>,
    )
  ) {
    anyEnv.filters[name] = function (this: unknown, ...args: unknown[]) {
      checkFilterArgs(name, args);
      return checkFilterResult(name, filter.apply(this, args));
    };
  }
  for (const name of Object.keys(anyEnv.globals)) delete anyEnv.globals[name];
  const globals: Record<string, (...args: never[]) => unknown> = {
    range: boundedRange,
    now: (format?: string) => LILY_FILTERS.now(undefined as never, format as never),
    uuid: (kind?: string) => LILY_FILTERS.uuid(kind as never),
    env: (name: string, fallback?: string) => LILY_FILTERS.env(name as never, fallback as never),
  };
  for (const [name, fn] of Object.entries(globals)) {
    CALLABLE.add(fn);
    env.addGlobal(name, fn);
  }
  environment = env;
  return env;
}

/** Names of the filters a template may use. */
export function filterNames(): string[] {
  return [...BUILTIN_FILTERS, ...Object.keys(LILY_FILTERS)].sort();
}

/** Compiles a template in the hardened environment. */
export function compileTemplate(text: string, env: nunjucks.Environment): nunjucks.Template {
  // `eagerCompile` so syntax errors surface here, with their position.
  return new nunjucks.Template(text, env, undefined, true);
}
