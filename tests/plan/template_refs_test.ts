import { assertEquals } from "../_assert.ts";
import fc from "fast-check";
import { shownValue, type TemplateReads, templateRefs } from "../../src/plan/template_refs.ts";

/** The definition, written the plain way: every field tested against the step's prefixes. */
function naiveRefs(reads: TemplateReads, step: string): Record<string, Record<string, string>> {
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

Deno.test("a step's refs are its own fields and the workflow's env, not a sibling's with the same prefix", () => {
  const reads: TemplateReads = {
    reads: new Map([
      ["env.HOME_DIR", ["vars.home"]],
      ["steps.s1.with.run", ["params.a"]],
      ["steps.s10.with.run", ["params.b"]],
      ["steps.s1.env.X", ["params.c"]],
      ["on_error.s1.with.run", ["params.d"]],
      ["vars.home", ["params.e"]],
    ]),
    params: { a: "A", b: "B", c: "C", d: "D", e: "E" },
    vars: { home: "/h" },
  };
  assertEquals(templateRefs(reads, "steps.s1"), {
    command: { "params.a": "A" },
    env: { "vars.home": "/h", "params.c": "C" },
  });
  assertEquals(templateRefs(reads, "on_error.s1"), {
    command: { "params.d": "D" },
    env: { "vars.home": "/h" },
  });
  assertEquals(templateRefs(reads, "steps.s2"), { env: { "vars.home": "/h" } });
});

Deno.test("the indexed refs equal the field-by-field definition, key order included", () => {
  const id = fc.constantFrom("a", "ab", "s1", "s10", "env", "with");
  const field = fc.oneof(
    fc.tuple(fc.constantFrom("steps", "on_error"), id, fc.constantFrom("with", "env", "inputs"))
      .map(([list, step, part]) => `${list}.${step}.${part}.x`),
    fc.constantFrom("env.A", "env.B", "vars.v", "outputs.0.r"),
  );
  const name = fc.constantFrom("params.p", "params.q", "vars.v", "vars.w");
  fc.assert(
    fc.property(
      fc.array(fc.tuple(field, fc.array(name, { maxLength: 3 })), { maxLength: 12 }),
      fc.tuple(fc.constantFrom("steps", "on_error"), id),
      (entries, [list, step]) => {
        const reads: TemplateReads = {
          reads: new Map(entries),
          params: { p: "one", q: "x".repeat(50) },
          vars: { v: "v", w: "line\nbreak" },
        };
        const want = naiveRefs(reads, `${list}.${step}`);
        const got = templateRefs(reads, `${list}.${step}`);
        assertEquals(got, want);
        assertEquals(JSON.stringify(got), JSON.stringify(want));
      },
    ),
  );
});
