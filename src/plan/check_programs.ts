/**
 * A step's command and the programs it starts: a shell step has a script, a process step an
 * argv; every program named where compose can tell is one the step's policy allows.
 * @module
 */
import { LilyError, type Span } from "../errors.ts";
import { spanAt } from "../expr/_span.ts";
import type { Step } from "../schema/petal.ts";
import type { List } from "../shell/ast.ts";
import { commandsOf } from "../shell/analyze.ts";
import { isBuiltin } from "../shell/commands/mod.ts";
import { NESTING_CODE, parseScript, ShellSyntaxError } from "../shell/parser.ts";
import { positionalParams } from "../shell/positional.ts";
import { lazyLocate } from "../source/locate.ts";
import { stepKind } from "../steps/mod.ts";
import { isProjectTool, projectToolPath } from "../util/project_tool.ts";
import type { Where } from "./types.ts";

/** Where a step's command is and how to locate its parts. */
export interface CommandContext {
  /** The step's path in the merged source. */
  path: (string | number)[];
  /** The step's `with:` block (rendered); a process step's `argv` is made strings in place. */
  withBlock: Record<string, unknown>;
  where: Where;
}

/** A shell step needs `with.run`, a process step `with.argv` (made strings here). */
export function commandErrors(step: Step, context: CommandContext): LilyError[] {
  const { path, withBlock, where } = context;
  // Each kind checks its own `with:` block (src/steps/<kind>.ts).
  const check = stepKind(step.uses)?.check;
  if (!check) return [];
  return check(withBlock, {
    id: step.id,
    spanOf: (withPath) => where(withPath.length ? [...path, "with", ...withPath] : path),
  });
}

/** What the program check of a step reads. */
export interface ProgramContext {
  /** The step's path in the merged source. */
  path: (string | number)[];
  withBlock: Record<string, unknown>;
  /** What the step may start (`resources.binaries`, `.lilyrc`, pinned interpreters). */
  binaries: string[];
  /** The merged source, to locate errors. */
  raw: unknown;
  /** The tree of `with.run` if rendering parsed it already. */
  parsed?: List;
}

/**
 * The programs a step starts, checked against what it may start, where that can be told
 * before running: every command of a Lily shell script with a literal name, the shell of
 * `with.shell`, a process step's `argv[0]`. Names built at run time are checked when they run.
 */
export function programErrors(step: Step, context: ProgramContext): LilyError[] {
  const { path, withBlock, binaries, raw, parsed } = context;
  const errors: LilyError[] = [];
  const allowed = (name: string) => isAllowedProgram(name, binaries);
  const allowHint = (name: string) => {
    const entry = binaryEntryFor(name);
    const what = isProjectTool(name)
      ? ` (a project tool: the file \`${
        projectToolPath(name)
      }\` under the project root, pinned by its relative path)`
      : "";
    // Pasting `resources: {binaries: [x]}` into a step that has the key would repeat it.
    const here = step.resources?.binaries !== undefined
      ? `add \`${entry}\` to this step's \`resources.binaries\` list`
      : `allow it for this step with \`resources: {binaries: [${entry}]}\``;
    return `${here}, or for every step add \`${entry}\` to \`allowed_binaries\` in .lilyrc${what}`;
  };
  if (step.uses === "process") {
    const program = String((withBlock.argv as unknown[])[0]);
    // A built-in name runs the built-in (portable: `argv: [echo, hi]` works everywhere).
    if (!isBuiltin(program) && !allowed(program)) {
      errors.push(
        new LilyError(
          "LILY-E0617",
          `step \`${step.id}\` runs \`${program}\`, which its policy does not allow`,
          {
            span: lazyLocate(raw, [...path, "with", "argv", 0]),
            label: "not an allowed binary",
            hint: allowHint(program),
          },
        ),
      );
    }
    return errors;
  }
  if (step.uses !== "shell") return errors;
  const script = String(withBlock.run);
  const shell = withBlock.shell;
  if (shell !== undefined && shell !== "lily") {
    if (typeof shell !== "string" || shell === "") {
      errors.push(
        new LilyError(
          "LILY-E0619",
          `\`with.shell\` of step \`${step.id}\` must be a program name`,
          {
            span: lazyLocate(raw, [...path, "with", "shell"]),
            hint: "omit it for Lily's shell, or name an allowed shell: `shell: bash`",
          },
        ),
      );
    } else if (!allowed(shell)) {
      errors.push(
        new LilyError(
          "LILY-E0619",
          `step \`${step.id}\` runs its script with \`${shell}\`, which its policy does not allow`,
          {
            span: lazyLocate(raw, [...path, "with", "shell"]),
            label: "not an allowed binary",
            hint: `${
              allowHint(shell)
            } (the programs that \`${shell}\` starts are not checked by Lily: list them too, OS isolation still applies)`,
          },
        ),
      );
    }
    return errors;
  }
  // Located only when an error needs it: the happy path makes no span per script.
  let baseSpan: Span | undefined;
  const base = () => baseSpan ??= lazyLocate(raw, [...path, "with", "run"], { content: true });
  let list = parsed;
  try {
    list ??= parseScript(script);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    errors.push(
      new LilyError(
        error.code === NESTING_CODE ? "LILY-E0650" : "LILY-E0618",
        `the script of step \`${step.id}\` is not valid in Lily's shell: ${error.message}`,
        {
          span: spanAt(base(), script, error.pos),
          hint: error.hint ??
            "see docs/shell.md for what Lily's shell runs, or set `with.shell: sh` (with `sh` in `resources.binaries`)",
        },
      ),
    );
    return errors;
  }
  const uses = commandsOf(list);
  const refused = [
    ...new Set(
      uses.filter((u) => u.name !== undefined && !u.builtin && !allowed(u.name))
        .map((u) => binaryEntryFor(u.name!)),
    ),
  ];
  // Several refused programs in one step: one line that allows them all.
  const together = refused.length < 2
    ? ""
    : step.resources?.binaries !== undefined
    ? `; all of them: add ${refused.join(", ")} to \`resources.binaries\``
    : `; all of them: \`resources: {binaries: [${refused.join(", ")}]}\``;
  for (const use of uses) {
    if (use.name === undefined || use.builtin || allowed(use.name)) continue;
    errors.push(
      new LilyError(
        "LILY-E0617",
        `step \`${step.id}\` runs \`${use.name}\`, which its policy does not allow`,
        {
          span: spanAt(base(), script, use.pos, use.pos + use.name.length),
          label: "not a built-in of Lily's shell, not an allowed binary",
          hint: allowHint(use.name) + together,
        },
      ),
    );
  }
  for (const use of positionalParams(list)) {
    errors.push(
      new LilyError(
        "LILY-E0635",
        `the script of step \`${step.id}\` reads \`$${use.name}\`: a step's script has no arguments`,
        {
          span: spanAt(base(), script, use.pos, use.pos + 1 + use.name.length),
          label: "a positional parameter",
          hint: "pass values as `{{ params.<name> }}` (escaped for the shell) or as inputs " +
            "(`$LILY_INPUT_<NAME>`); `$1` is allowed inside a function body and after `set -- …`",
        },
      ),
    );
  }
  return errors;
}

/**
 * Whether a program name a script or argv starts is among `binaries`: a bare name or an
 * absolute path by its name; a project tool (`./tools/gen.sh`, `tools/gen.sh`) by its path
 * relative to the project root, however it is spelled.
 */
export function isAllowedProgram(name: string, binaries: readonly string[]): boolean {
  if (binaries.includes(name)) return true;
  if (isProjectTool(name)) {
    const path = projectToolPath(name);
    return binaries.some((b) => isProjectTool(b) && projectToolPath(b) === path);
  }
  return /[\\/]/.test(name) && binaries.includes(name.split(/[\\/]/).pop()!);
}

/** The `resources.binaries` entry that allows `name`: a bare name, or the path as written. */
export function binaryEntryFor(name: string): string {
  return isProjectTool(name) ? `./${projectToolPath(name)}` : name;
}
