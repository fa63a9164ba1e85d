import { assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import type { LilyError, LilyErrors } from "../../src/errors.ts";
import { buildDag } from "../../src/plan/dag.ts";

const node = (id: string, needs: string[] = []) => ({ id, needs, path: [] });

Deno.test("levels are the longest distance from a root", () => {
  const dag = buildDag([node("c", ["a", "b"]), node("b", ["a"]), node("a"), node("d")], {});
  assertEquals(dag.levels, [["a", "d"], ["b"], ["c"]]);
  assertEquals([...dag.ancestors("c")].sort(), ["a", "b"]);
});

Deno.test("a cycle is printed as the path that closes it", () => {
  const error = assertThrows(() =>
    buildDag([node("a", ["c"]), node("b", ["a"]), node("c", ["b"]), node("d", ["c"])], {})
  ) as LilyError;
  assertEquals(error.code, "LILY-E0604");
  assertMatch(error.message, /`a` → `c` → `b` → `a`/);
});

Deno.test("missing needs suggest the closest id", () => {
  const error = assertThrows(() =>
    buildDag([node("decode"), node("encode", ["decod"])], {})
  ) as LilyErrors;
  assertEquals(error.errors[0].code, "LILY-E0602");
  assertMatch(error.errors[0].hint ?? "", /did you mean `decode`/);
});

Deno.test("self-dependency and duplicate ids are reported together", () => {
  const error = assertThrows(() =>
    buildDag([node("a", ["a"]), node("b"), node("b")], {})
  ) as LilyErrors;
  assertEquals(error.errors.map((e) => e.code).sort(), ["LILY-E0601", "LILY-E0603"]);
});

Deno.test("a 10,000-step chain plans without stack overflow", () => {
  const nodes = Array.from({ length: 10_000 }, (_, i) => node(`s${i}`, i ? [`s${i - 1}`] : []));
  const dag = buildDag(nodes, {});
  assertEquals(dag.levels.length, 10_000);
});

Deno.test("dependsOn answers through several levels", () => {
  const dag = buildDag([node("a"), node("b", ["a"]), node("c", ["b"]), node("x")], {});
  assertEquals([dag.dependsOn("c", "a"), dag.dependsOn("c", "x"), dag.dependsOn("a", "c")], [
    true,
    false,
    false,
  ]);
  const chain = buildDag(
    Array.from({ length: 10_000 }, (_, i) => node(`s${i}`, i ? [`s${i - 1}`] : [])),
    {},
  );
  assertEquals(chain.dependsOn("s9999", "s0"), true);
  assertEquals(chain.ancestors("s9999").size, 9999);
});
