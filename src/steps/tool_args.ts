/**
 * A tool step's `with.args` checked against the tool's declaration: each value typed (template
 * text `"23"` is an int), within its `enum`, an input file given `{from: steps.X.outputs.Y}`
 * resolved to that output's path; unknown and missing arguments reported (a misspelt required
 * argument once, with the missing name as its did-you-mean). Every problem is positioned.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import { type ArgValue, coerceArg, type ToolDecl } from "./tool_decl.ts";

const FROM_OUTPUT = /^steps\.([A-Za-z_][A-Za-z0-9_.-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/;

/** What the check needs besides the declaration and the values. */
export interface ArgsContext {
  /** The step's id (for messages). */
  step: string;
  /** Whether the step wrote `with.args` (where a missing argument is shown). */
  hasArgs: boolean;
  /** The position of a field of the step, by its path below the step. */
  where: (path: (string | number)[], key?: boolean) => Span | undefined;
  /** The path of another step's file output (`steps.X.outputs.Y`), if it has one. */
  outputPath?: (step: string, output: string) => string | undefined;
  /** The file outputs with a path of a step (for did-you-mean on `from:`). */
  outputNames?: (step: string) => string[];
  /** Whether a step is a tool step compose could not resolve (its errors are reported). */
  unresolved?: (step: string) => boolean;
  /** Report no missing argument (an error already said why `with.args` is not as written). */
  quietMissing?: boolean;
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit (`inptu` → `input`),
 * which the general did-you-mean counts as two.
 */
function swapDistance(a: string, b: string): number {
  const d = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Did-you-mean for `from: steps.X.outputs.Y` naming no file output of X. */
function fromGuess(m: RegExpExecArray | null, context: ArgsContext): string | undefined {
  if (!m) return undefined;
  const guess = didYouMean(m[2], context.outputNames?.(m[1]) ?? []);
  return guess ? `did you mean \`steps.${m[1]}.outputs.${guess}\`?` : undefined;
}

/** The declared argument an unknown one is a misspelling of (missing required ones first). */
function guessArg(arg: string, declared: string[], missing: string[]): string | undefined {
  const limit = Math.max(1, Math.floor(arg.length / 3));
  const near = (names: string[]) =>
    names
      .map((n) => ({ n, d: swapDistance(arg.toLowerCase(), n.toLowerCase()) }))
      .filter((x) => x.d <= limit)
      .sort((x, y) => x.d - y.d)[0]?.n;
  return near(missing) ?? didYouMean(arg, declared) ?? near(declared);
}

/** The checked values, defaults filled in, and the `from:` of input arguments given one. */
export interface CheckedArgs {
  values: Record<string, ArgValue>;
  fromOf: Record<string, string>;
}

/** Checks `given` against `decl`; problems go to `errors`. */
export function checkToolArgs(
  decl: ToolDecl,
  given: Record<string, unknown>,
  context: ArgsContext,
  errors: LilyError[],
): CheckedArgs {
  const { where } = context;
  const name = decl.name;
  const values: Record<string, ArgValue> = {};
  // Input file arguments given as `{from: steps.X.outputs.Y}`: the data flow, by argument.
  const fromOf: Record<string, string> = {};
  const declared = Object.keys(decl.args);
  // A misspelt required argument is one mistake: the unknown name, with the missing one as its hint.
  const missing = declared.filter((a) => decl.args[a].required && given[a] == null);
  const unknown = Object.keys(given).filter((a) => !Object.hasOwn(decl.args, a));
  const taken = new Set<string>();
  for (const [arg, raw] of Object.entries(given)) {
    const spec = Object.hasOwn(decl.args, arg) ? decl.args[arg] : undefined;
    if (!spec) {
      const guess = guessArg(arg, declared, missing) ??
        (unknown.length === 1 && missing.length === 1 ? missing[0] : undefined);
      if (guess) taken.add(guess);
      errors.push(
        new LilyError("LILY-E0943", `tool \`${name}\` has no argument \`${arg}\``, {
          span: where(["with", "args", arg], true),
          label: "unknown argument",
          hint: guess
            ? `did you mean \`${guess}\`?`
            : `its arguments are ${listNames(declared) || "none"} (${decl.file})`,
        }),
      );
      continue;
    }
    if (raw === null) continue; // `crf: null`: unset, as if not written
    if (typeof raw === "object" && !Array.isArray(raw) && "from" in raw) {
      const from = String((raw as { from: unknown }).from).trim();
      const m = FROM_OUTPUT.exec(from);
      const path = m && spec.role === "input" ? context.outputPath?.(m[1], m[2]) : undefined;
      // The producer is a tool step with errors of its own: its outputs are unknown, not absent.
      if (path === undefined && m && spec.role === "input" && context.unresolved?.(m[1])) continue;
      if (path === undefined) {
        errors.push(
          new LilyError(
            "LILY-E0956",
            spec.role !== "input"
              ? `argument \`${arg}\` of tool \`${name}\` is not an input file: it cannot take \`from:\``
              : !m
              ? `\`from: ${from}\` of argument \`${arg}\` is not \`steps.<id>.outputs.<name>\``
              : `\`from: ${from}\` of argument \`${arg}\` names no file output with a \`path:\``,
            {
              span: where(["with", "args", arg, "from"]),
              hint: spec.role !== "input" ? "give its value directly" : fromGuess(m, context) ??
                "name a file output declared with `path:` (or written by a tool's output argument) of a step this one needs",
            },
          ),
        );
        continue;
      }
      values[arg] = path;
      fromOf[arg] = from;
      continue;
    }
    const checked = coerceArg(spec, raw);
    if ("error" in checked) {
      errors.push(
        new LilyError(
          "LILY-E0945",
          `argument \`${arg}\` of tool \`${name}\` is \`${spec.type}\`, and ${
            JSON.stringify(raw)
          } ${checked.error}`,
          { span: where(["with", "args", arg]), hint: `give a value of type \`${spec.type}\`` },
        ),
      );
      continue;
    }
    if (spec.enum && !spec.enum.includes(checked.value)) {
      const guess = didYouMean(String(checked.value), spec.enum.map(String));
      errors.push(
        new LilyError(
          "LILY-E0946",
          `argument \`${arg}\` of tool \`${name}\` is ${
            JSON.stringify(checked.value)
          }, not one of its values`,
          {
            span: where(["with", "args", arg]),
            hint: `${guess ? `did you mean \`${guess}\`? ` : ""}the values are ${
              listNames(spec.enum.map(String), 12)
            }`,
          },
        ),
      );
      continue;
    }
    values[arg] = checked.value;
  }
  for (const [arg, spec] of Object.entries(decl.args)) {
    if (values[arg] !== undefined) continue;
    if (spec.default !== undefined) values[arg] = spec.default;
    else if (spec.required && !taken.has(arg) && missing.includes(arg) && !context.quietMissing) {
      errors.push(
        new LilyError(
          "LILY-E0944",
          `tool step \`${context.step}\` does not give \`${arg}\`, which tool \`${name}\` requires`,
          {
            span: where(context.hasArgs ? ["with", "args"] : ["with"]),
            label: "missing argument",
            hint: `add \`${arg}: <${spec.type}>\` to \`with.args\`${
              spec.help ? ` (${spec.help})` : ""
            }`,
          },
        ),
      );
    }
  }
  return { values, fromOf };
}
