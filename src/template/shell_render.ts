/**
 * A template for a field that reaches a shell, rendered so that no value becomes shell code:
 * placeholders (shell_mode.ts), context-aware escaping and the taint check (shell_context.ts),
 * errors positioned at the `{{ … }}` in the source file.
 * @module
 */
import { type LilyError, LilyErrors, type Span } from "../errors.ts";
import { located } from "./guards.ts";
import { type Rendered, renderShellTemplate, type TemplateContext } from "./render.ts";
import type { List } from "../shell/ast.ts";
import { escapeShellScript } from "./shell_context.ts";

/** A rendered shell script and the `| shell_code` regions it holds. */
export interface ShellScriptRendered extends Rendered {
  /** The expressions inserted as code (`params.cmd | shell_code`), in render order. */
  shellCode: string[];
  /** The syntax tree of `text`, when the taint check parsed it. */
  tree?: List;
}

const GITHUB_STYLE = /\$\{\{/;

/**
 * Renders the script `text` for `shell` (`lily` or a `with.shell` program). Throws a
 * LilyError (or LilyErrors) positioned in the source file when a value cannot be placed.
 *
 * @example
 * ```ts
 * import { renderShellScript } from "./shell_render.ts";
 * const out = renderShellScript('echo "{{ params.who }}"', {
 *   params: { who: "$(rm x)" }, secretParams: new Set(), vars: {}, projectRoot: "/p", seed: "s",
 *   env: { allowed: [], get: () => undefined },
 * }, { file: "f.petal", line: 1, col: 1 }, "lily");
 * if (out.text !== 'echo "\\$(rm x)"') throw new Error(out.text);
 * ```
 */
export function renderShellScript(
  text: string,
  ctx: TemplateContext,
  where: Span,
  shell: string,
): ShellScriptRendered {
  const github = GITHUB_STYLE.exec(text);
  if (github) {
    const before = text.slice(0, github.index);
    const line = before.split("\n").length;
    const col = github.index - before.lastIndexOf("\n");
    throw located(
      "LILY-E0634",
      "`${{ … }}` is GitHub Actions' syntax: here the `$` stays in the script, before the value",
      where,
      line,
      col,
      "write `{{ … }}` (Lily escapes the value for where it lands); for a shell variable, `${NAME}`",
    );
  }
  const rendered = renderShellTemplate(text, ctx, where);
  const escaped = escapeShellScript(rendered.text, rendered.outputs, {
    nonce: rendered.nonce,
    shell,
  });
  if (escaped.problems.length) {
    const errors = escaped.problems.map((p) =>
      located(
        p.code,
        `${p.output.expr ? `\`{{ ${p.output.expr} }}\`: ` : ""}${p.message}`,
        where,
        p.output.line,
        p.output.col,
        p.hint,
      )
    );
    throw errors.length === 1 ? errors[0] : new LilyErrors(errors as LilyError[]);
  }
  return {
    text: escaped.script,
    effects: rendered.effects,
    shellCode: rendered.outputs.filter((o) => o.code).map((o) => o.expr ?? "?"),
    tree: escaped.tree,
  };
}
