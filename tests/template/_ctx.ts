import { prepareTemplates, renderTemplate, type TemplateContext } from "../../src/template/mod.ts";

/** A context with a few params, a secret and a var. */
export function context(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return {
    params: {
      who: "world",
      n: 3,
      on: true,
      list: ["a", "b"],
      cfg: { name: "x", deep: { v: 1 } },
      nothing: null,
    },
    secretParams: new Set(["token"]),
    vars: { out: "out/3" },
    env: { allowed: ["USER"], get: (name) => (name === "USER" ? "lily" : undefined) },
    projectRoot: "/project",
    sourceDateEpoch: 1_700_000_000,
    seed: "wf/steps.a.with.run",
    ...overrides,
  };
}

/** Renders with the test context (loading nunjucks when needed). */
export async function render(text: string, ctx: TemplateContext = context()) {
  await prepareTemplates([text]);
  return renderTemplate(text, ctx, { file: "flow.petal", line: 10, col: 12 });
}
