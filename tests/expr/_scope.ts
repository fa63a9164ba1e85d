// A fixed scope and run-time values shared by the expression tests.
import type { EvalContext, ExprType, Scope, Where } from "../../src/expr/mod.ts";

/** Static types of the names the tests may use. */
export const TYPES: Record<string, ExprType | "secret"> = {
  "params.n": "int",
  "params.x": "float",
  "params.s": "str",
  "params.on": "bool",
  "params.off": "bool",
  "params.cfg": "any",
  "params.tags": "list",
  "params.nothing": "null",
  "params.token": "secret",
  "vars.mode": "str",
  "env.CI": "str",
  "steps.build-app.outputs.tag": "str",
  "steps.probe.outputs.frames": "int",
  "steps.probe.outputs.meta": "any",
  "steps.fetch_2.outputs.in": "str",
};

/** The scope the tests compile against. */
export const scope: Scope = {
  lookup: (path) => TYPES[path.join(".")],
  names: (prefix) => {
    const p = prefix.join(".") + ".";
    const below = Object.keys(TYPES).filter((k) => k.startsWith(p));
    return [...new Set(below.map((k) => k.slice(p.length).split(".")[0]))];
  },
};

/** Where the expressions sit: line 7, column 9 of flow.petal. */
export const where: Where = { file: "flow.petal", line: 7, col: 9 };

/** Run-time values for the names above. */
export const VALUES: Record<string, unknown> = {
  "params.n": 3,
  "params.x": 2.5,
  "params.s": "abc",
  "params.on": true,
  "params.off": false,
  "params.cfg": { a: 1 },
  "params.tags": ["gpu", "fast", 2],
  "params.nothing": null,
  "vars.mode": "fast",
  "env.CI": "true",
  "steps.build-app.outputs.tag": "v1",
  "steps.probe.outputs.frames": 0,
  "steps.probe.outputs.meta": "yes",
  "steps.fetch_2.outputs.in": "x",
};

/** A run where nothing failed and nothing is cancelled. */
export const OK = { dependencyFailed: false, cancelled: false };

/** A context over {@link VALUES} with the given run status. */
export function context(
  status = OK,
  values: Record<string, unknown> = VALUES,
): EvalContext {
  return { lookup: (path) => values[path.join(".")], status };
}
