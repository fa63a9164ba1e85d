// LilyError helpers: source order, and which thrown values are the user's to fix.
import { assert, assertEquals } from "./_assert.ts";
import { LilyError, LilyErrors, sortBySource, userErrors } from "../src/errors.ts";

function at(file: string, line: number, col: number, message = `${file}:${line}:${col}`) {
  return new LilyError("LILY-E0201", message, { span: { file, line, col } });
}

Deno.test("sortBySource: flags first, then files in order of first appearance, line, column", () => {
  const flag = new LilyError("LILY-E0304", "flag", { flag: "-p x=1" });
  const errors = [
    at("b.petal", 3, 1),
    at("a.petal", 9, 9),
    flag,
    at("b.petal", 1, 5),
    at("a.petal", 2, 1),
    at("b.petal", 1, 2),
  ];
  assertEquals(sortBySource(errors).map((e) => e.message), [
    "flag",
    "b.petal:1:2",
    "b.petal:1:5",
    "b.petal:3:1",
    "a.petal:2:1",
    "a.petal:9:9",
  ]);
});

Deno.test("sortBySource keeps the given order of errors at the same position", () => {
  const errors = [at("f", 1, 1, "first"), at("f", 1, 1, "second"), at("f", 1, 1, "third")];
  assertEquals(sortBySource(errors).map((e) => e.message), ["first", "second", "third"]);
});

Deno.test("userErrors: Lily errors, and file-system errors as LILY-E0010; anything else is a bug", () => {
  assertEquals(userErrors(new LilyErrors([at("f", 1, 1), at("f", 2, 1)]))?.length, 2);
  const missing = userErrors(
    new Deno.errors.NotFound("No such file or directory (os error 2): open '/nope/x'"),
  );
  assertEquals(missing?.[0].code, "LILY-E0010");
  assertEquals(missing?.[0].message, "open '/nope/x' failed: No such file or directory");
  const full = userErrors(new Error("No space left on device (os error 28): write 'x'"));
  assertEquals(full?.[0].code, "LILY-E0010");
  assert(userErrors(new TypeError("cannot read properties of undefined")) === undefined);
  assert(
    userErrors(new Deno.errors.ConnectionRefused("Connection refused (os error 111)")) ===
      undefined,
  );
});
