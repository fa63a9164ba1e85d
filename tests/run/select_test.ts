// Step selection alone: `--only` takes the named steps and their needs, `--from` a step and
// its dependants; an unknown name is a positioned (flag) error with a did-you-mean.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { selectSteps, stepsFrom } from "../../src/run/select.ts";
import { LilyError, LilyErrors } from "../../src/errors.ts";

const lock = {
  plan: {
    steps: [
      { id: "fetch", needs: [] },
      { id: "decode", needs: ["fetch"] },
      { id: "encode", needs: ["decode"] },
      { id: "thumbs", needs: ["decode"] },
      { id: "report", needs: ["encode", "thumbs"] },
      { id: "lint", needs: [] },
    ],
  },
} as unknown as Parameters<typeof selectSteps>[0];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

Deno.test("--only selects the named steps and everything they need, transitively", () => {
  assertEquals([...selectSteps(lock, ["encode"])].sort(), ["decode", "encode", "fetch"]);
  assertEquals(selectSteps(lock, undefined).size, 6);
  assertEquals(selectSteps(lock, []).size, 6);
});

Deno.test("--from selects the step and every step after it", () => {
  assertEquals([...stepsFrom(lock, "thumbs")].sort(), ["report", "thumbs"]);
  assertEquals([...stepsFrom(lock, "decode")].sort(), ["decode", "encode", "report", "thumbs"]);
});

Deno.test("an unknown --only name is E0801 with a did-you-mean and the flag", () => {
  const error = thrown(() => selectSteps(lock, ["encdoe"])) as LilyError;
  assert(error instanceof LilyError);
  assertEquals(error.code, "LILY-E0801");
  assertMatch(error.hint ?? "", /did you mean `encode`\?/);
  assertEquals(error.flag, "--only encdoe");
});

Deno.test("every unknown --only name is reported, not only the first", () => {
  const error = thrown(() => selectSteps(lock, ["nope", "encode", "zzz"]));
  assert(error instanceof LilyErrors);
  assertEquals(error.errors.map((e) => e.code), ["LILY-E0801", "LILY-E0801"]);
});

Deno.test("an unknown --from name is E0802 and lists the steps", () => {
  const error = thrown(() => stepsFrom(lock, "thumb")) as LilyError;
  assertEquals(error.code, "LILY-E0802");
  assertMatch(error.hint ?? "", /did you mean `thumbs`\? steps: fetch, decode/);
});
