// Masking a record's values (not its serialized text), and the minimum length of a secret that
// is masked at all.
import { assertEquals } from "../_assert.ts";
import { createMasker, MIN_SECRET_LENGTH, secretForms } from "../../src/sandbox/mask.ts";
import { maskRecord } from "../../src/sandbox/mask_record.ts";

Deno.test("a record keeps its keys, literals and Lily's own fields; its strings are masked", () => {
  const m = createMasker(["null", "step"]);
  const record = {
    type: "step.failed",
    step: "step-one",
    exit_code: null,
    null: "x",
    reason: "exited: null pointer in step",
    outputs: { list: ["a null", 1, true] },
  };
  const out = maskRecord(record, m.mask);
  assertEquals(out, {
    type: "step.failed",
    step: "step-one",
    exit_code: null,
    null: "x",
    reason: "exited: *** pointer in ***",
    outputs: { list: ["a ***", 1, true] },
  });
  assertEquals(JSON.parse(JSON.stringify(out)), out);
  assertEquals(record.reason, "exited: null pointer in step", "the input is not changed");
});

Deno.test("a secret shorter than the minimum is not masked; one at the minimum is", () => {
  assertEquals(MIN_SECRET_LENGTH, 4);
  for (const short of ["e", "x1", "abc"]) {
    assertEquals(secretForms(short), []);
    assertEquals(createMasker([short]).empty, true);
    assertEquals(createMasker([short]).mask(`the ${short} stays`), `the ${short} stays`);
  }
  const m = createMasker(["true", "e"]);
  assertEquals(m.mask("e is true; dHJ1ZQ"), "e is ***; ***");
});
