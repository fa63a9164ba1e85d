/**
 * Templates, rendered exactly once at compose time in a hardened nunjucks (see
 * docs/templates.md). Nothing here reaches the host except the `env` filter, which reads only
 * the names the policy allows.
 * @module
 */
export {
  hasTemplateSyntax,
  prepareTemplates,
  type Rendered,
  renderShellTemplate,
  renderTemplate,
  type ShellRendered,
  type TemplateContext,
} from "./render.ts";
export { renderShellScript, type ShellScriptRendered } from "./shell_render.ts";
export type { ShellOutput } from "./shell_mode.ts";
export {
  escapeShellScript,
  POSIX_SHELLS,
  type ShellContext,
  type ShellProblem,
} from "./shell_context.ts";
export type { Effects } from "./guards.ts";
export { BLOCKED_NAMES, MAX_ITERATIONS, MAX_OUTPUT_LENGTH, MAX_TEMPLATE_LENGTH } from "./guards.ts";
export { shellQuote } from "./shell_quote.ts";
/** Where a template sits in its source file. */
export type { Span as Where } from "../errors.ts";
