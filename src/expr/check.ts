/**
 * Static checks of a parsed expression: every name resolves in the scope (with did-you-mean),
 * secrets are refused, and operand types are strict. Types known at compose time are errors
 * here; `any` is left to the evaluator.
 * @module
 */
import { didYouMean, type ErrorCode, LilyError, listNames } from "../errors.ts";
import { type Ast, type ExprType, STATUS_FUNCTIONS, type Where } from "./ast.ts";
import type { Parsed, Range } from "./parser.ts";
import { spanAt } from "./_span.ts";

/**
 * What names mean at compose time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Scope } from "./check.ts";
 * const scope: Scope = {
 *   lookup: (path) => path.join(".") === "params.size" ? "int" : undefined,
 *   names: (prefix) => prefix.join(".") === "params" ? ["size"] : [],
 * };
 * assert.ok(scope.lookup(["params", "size"]) === "int");
 * ```
 */
export interface Scope {
  /**
   * Type of an identifier path like `["params","size"]`, `["env","HOME"]` or
   * `["steps","build","outputs","tag"]`; `"secret"` for secret params (a compile error:
   * secrets never steer control flow in a lock); undefined when unknown.
   */
  lookup(path: readonly string[]): ExprType | "secret" | undefined;
  /** Known names under a prefix, for did-you-mean (`["params"]` → `["size","fmt"]`). */
  names(prefix: readonly string[]): string[];
  /** Every step id of the workflow (a step that exists but is not needed is named so). */
  allSteps?: readonly string[];
}

/**
 * The result of the checks: the expression's static type and the names it reads (each once,
 * in source order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Checked } from "./check.ts";
 * const c: Checked = { type: "bool", refs: [["params", "on"]] };
 * assert.ok(c.refs.length === 1);
 * ```
 */
export interface Checked {
  type: ExprType;
  refs: string[][];
}

/** The roots a name may start with, and the shape of the whole name. */
const SHAPES = new Map<string, readonly string[]>([
  ["params", ["params", "<name>"]],
  ["vars", ["vars", "<name>"]],
  ["env", ["env", "<NAME>"]],
  ["steps", ["steps", "<id>", "outputs", "<name>"]],
]);

interface State {
  parsed: Parsed;
  scope: Scope;
  where: Where;
  refs: string[][];
  seen: Set<string>;
}

/**
 * Checks names and types of a parsed condition; the whole condition must be a boolean (or of
 * type `any`, checked at run time).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExpr } from "./parser.ts";
 * import { checkExpr } from "./check.ts";
 * const where = { file: "f", line: 1, col: 1 };
 * const scope = { lookup: () => "int" as const, names: () => [] };
 * const checked = checkExpr(parseExpr("params.n > 2", where), scope, where);
 * assert.ok(checked.type === "bool");
 * ```
 */
export function checkExpr(parsed: Parsed, scope: Scope, where: Where): Checked {
  const state: State = { parsed, scope, where, refs: [], seen: new Set() };
  const type = typeOf(state, parsed.ast);
  requireBool(state, parsed.ast, type, "a condition");
  return { type, refs: state.refs };
}

/**
 * A type as words, for messages ("an integer").
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeType } from "./check.ts";
 * assert.ok(describeType("int") === "an integer");
 * ```
 */
export function describeType(type: ExprType): string {
  switch (type) {
    case "str":
      return "a string";
    case "int":
      return "an integer";
    case "float":
      return "a float";
    case "bool":
      return "a boolean";
    case "null":
      return "null";
    case "list":
      return "a list";
    case "any":
      return "a value of any type";
  }
}

function rangeOf(state: State, ast: Ast): Range {
  return state.parsed.ranges.get(ast)!;
}

function fail(
  state: State,
  code: ErrorCode,
  message: string,
  at: { start: number; end: number },
  extra: { hint?: string; label?: string } = {},
): LilyError {
  return new LilyError(code, message, {
    span: spanAt(state.where, state.parsed.source, at.start, at.end),
    label: extra.label,
    hint: extra.hint,
  });
}

function isNumeric(type: ExprType): boolean {
  return type === "int" || type === "float";
}

function typeOf(state: State, ast: Ast): ExprType {
  if ("lit" in ast) {
    const value = ast.lit;
    if (value === null) return "null";
    if (typeof value === "string") return "str";
    if (typeof value === "boolean") return "bool";
    return Number.isInteger(value) ? "int" : "float";
  }
  if ("list" in ast) {
    for (const item of ast.list) typeOf(state, item);
    return "list";
  }
  if ("ref" in ast) return refType(state, ast);
  if ("call" in ast) return "bool";
  if (ast.op === "!") {
    requireBool(state, ast.a, typeOf(state, ast.a), "`!`");
    return "bool";
  }
  const l = typeOf(state, ast.l);
  const r = typeOf(state, ast.r);
  switch (ast.op) {
    case "&&":
    case "||":
      requireBool(state, ast.l, l, `\`${ast.op}\``);
      requireBool(state, ast.r, r, `\`${ast.op}\``);
      return "bool";
    case "==":
    case "!=":
      // Values of different types are simply unequal: no error.
      return "bool";
    case "in":
      checkIn(state, ast.l, l, ast.r, r);
      return "bool";
    default:
      checkOrdering(state, ast.op, ast.l, l, ast.r, r);
      return "bool";
  }
}

/** Requires a boolean operand (or one of type `any`, checked at run time). */
function requireBool(state: State, ast: Ast, type: ExprType, what: string): void {
  if (type === "bool" || type === "any") return;
  throw fail(
    state,
    "LILY-E0509",
    `${what} needs a boolean, but this is ${describeType(type)}`,
    rangeOf(state, ast),
    {
      label: `${describeType(type)}`,
      hint: type === "str"
        ? 'compare it: `… == "yes"`'
        : type === "list"
        ? "test membership: `x in [ … ]`"
        : "compare it with `==`, `<`, … to get a boolean",
    },
  );
}

function checkIn(state: State, left: Ast, l: ExprType, right: Ast, r: ExprType): void {
  if (r !== "list" && r !== "str" && r !== "any") {
    throw fail(
      state,
      "LILY-E0511",
      `\`in\` needs a list or a string on its right, but this is ${describeType(r)}`,
      rangeOf(state, right),
      { label: describeType(r), hint: 'write `x in [1, 2]` or `"sub" in text`' },
    );
  }
  if (r === "str" && l !== "str" && l !== "any") {
    throw fail(
      state,
      "LILY-E0511",
      `\`in\` a string looks for a substring, but this is ${describeType(l)}`,
      rangeOf(state, left),
      { label: describeType(l), hint: "put a string on the left of `in`" },
    );
  }
}

function checkOrdering(
  state: State,
  op: string,
  left: Ast,
  l: ExprType,
  right: Ast,
  r: ExprType,
): void {
  for (const [side, type] of [[left, l], [right, r]] as const) {
    if (!isNumeric(type) && type !== "str" && type !== "any") {
      throw fail(
        state,
        "LILY-E0510",
        `\`${op}\` orders numbers or strings, but this is ${describeType(type)}`,
        rangeOf(state, side),
        { label: describeType(type), hint: "use `==` or `!=` to compare other values" },
      );
    }
  }
  if (l !== "any" && r !== "any" && isNumeric(l) !== isNumeric(r)) {
    throw fail(
      state,
      "LILY-E0510",
      `\`${op}\` cannot order ${describeType(l)} and ${describeType(r)}`,
      { start: rangeOf(state, left).start, end: rangeOf(state, right).end },
      {
        label: `${l} ${op} ${r}`,
        hint: "ordering works between two numbers or two strings; " +
          "declare the output's `type:` or compare like with like",
      },
    );
  }
}

function refType(state: State, ast: { ref: string[] }): ExprType {
  const path = ast.ref;
  const range = rangeOf(state, ast);
  const partAt = (i: number) => {
    const start = range.parts?.[i] ?? range.start;
    return { start, end: start + path[i].length };
  };
  const root = path[0];
  const shape = SHAPES.get(root);
  if (shape === undefined) {
    const guess = didYouMean(root, [...SHAPES.keys(), "true", "false", "null"]);
    const fn = didYouMean(root, STATUS_FUNCTIONS);
    throw fail(state, "LILY-E0507", `unknown name \`${path.join(".")}\``, partAt(0), {
      label: "not a known root",
      hint: guess
        ? `did you mean \`${guess}\`?`
        : fn
        ? `did you mean \`${fn}()\`?`
        : `names start with ${listNames([...SHAPES.keys()].map((r) => `${r}.`))}; ` +
          `a string needs quotes: \`"${root}"\``,
    });
  }
  if (root === "steps" && path.length >= 3 && path[2] !== "outputs") {
    throw fail(state, "LILY-E0507", `\`${path.join(".")}\` is not a valid name`, partAt(2), {
      label: "expected `outputs`",
      hint: `a condition reads a step's outputs: write \`${shape.join(".")}\``,
    });
  }
  if (path.length > shape.length) {
    const at = { start: partAt(shape.length).start, end: partAt(path.length - 1).end };
    throw fail(state, "LILY-E0507", `\`${path.join(".")}\` has too many parts`, at, {
      hint: `write \`${shape.join(".")}\``,
    });
  }
  if (path.length < shape.length) {
    const at = { start: partAt(0).start, end: partAt(path.length - 1).end };
    throw fail(state, "LILY-E0507", `\`${path.join(".")}\` is an incomplete name`, at, {
      hint: `write \`${shape.join(".")}\``,
    });
  }
  const type = state.scope.lookup(path);
  if (type === "secret") {
    throw fail(
      state,
      "LILY-E0514",
      `\`${path.join(".")}\` is a secret and cannot steer a condition`,
      range,
      {
        label: "secret",
        hint: "a lock records every decision; pass secrets to steps as environment variables",
      },
    );
  }
  if (type === undefined) throw unknownName(state, path, partAt);
  const key = path.join("\0");
  if (!state.seen.has(key)) {
    state.seen.add(key);
    state.refs.push([...path]);
  }
  return type;
}

function unknownName(
  state: State,
  path: string[],
  partAt: (i: number) => { start: number; end: number },
): LilyError {
  for (let i = 1; i < path.length; i++) {
    if (path[0] === "steps" && i === 2) continue; // `outputs`, checked with the shape
    const known = state.scope.names(path.slice(0, i));
    if (known.includes(path[i])) continue;
    const isStep = path[0] === "steps" && i === 1;
    const exists = isStep && (state.scope.allSteps?.includes(path[1]) ?? false);
    const guess = exists ? undefined : didYouMean(path[i], known);
    const message = isStep
      ? `step \`${path[1]}\` is not one this step needs (directly or not)`
      : `\`${path.slice(0, i + 1).join(".")}\` is not defined`;
    const hint = exists
      ? `a condition reads the outputs of steps in its (transitive) \`needs\`: add \`${
        path[1]
      }\` to this step's \`needs:\``
      : guess
      ? `did you mean \`${[...path.slice(0, i), guess, ...path.slice(i + 1)].join(".")}\`?`
      : known.length
      ? `known here: ${listNames(known)}`
      : isStep
      ? "a condition can read the outputs of steps in its transitive `needs`"
      : path[0] === "env"
      ? "declare it in the step's `env:` or `resources.env`"
      : path[0] === "steps"
      ? `step \`${path[1]}\` declares no outputs`
      : `no ${path[0]} are declared`;
    return fail(state, "LILY-E0507", message, partAt(i), {
      label: exists ? "not in this step's `needs`" : isStep ? "unknown step here" : "not defined",
      hint,
    });
  }
  return fail(state, "LILY-E0507", `\`${path.join(".")}\` is not defined`, {
    start: partAt(0).start,
    end: partAt(path.length - 1).end,
  });
}
