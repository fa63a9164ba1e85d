// The shell's variables alone (src/shell/variables.ts): exports, read-only, `local` frames and
// the prefix assignments of `A=1 cmd`, each put back exactly as it was.
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { Variables } from "../../src/shell/variables.ts";
import { ReadonlyError } from "../../src/shell/types.ts";

Deno.test("variables: the initial ones are exported; a new one is not until `export`", () => {
  const vars = new Variables({ A: "1" });
  vars.set("B", "2");
  assertEquals(vars.environment(), { A: "1" });
  vars.export("B");
  vars.export("C"); // exported without a value: not in the environment
  assertEquals(vars.environment(), { A: "1", B: "2" });
});

Deno.test("variables: a read-only variable refuses set and unset, not the shell's own writes", () => {
  const vars = new Variables({});
  vars.set("R", "1");
  vars.setReadonly("R");
  assert(assertThrows(() => vars.set("R", "2")) instanceof ReadonlyError);
  assert(assertThrows(() => vars.unset("R")) instanceof ReadonlyError);
  vars.setInternal("R", "3");
  assertEquals(vars.get("R"), "3");
  assertEquals([...vars.readonlyNames], ["R"]);
});

Deno.test("variables: popFrame restores each local's value and export, unset ones unset", () => {
  const vars = new Variables({ E: "env" });
  vars.set("x", "1");
  vars.pushFrame();
  vars.makeLocal("E");
  vars.makeLocal("x");
  vars.makeLocal("y");
  vars.set("E", "changed");
  vars.unset("x");
  vars.set("y", "new");
  vars.makeLocal("y"); // a second `local` in the same call keeps the first saved value
  vars.popFrame();
  assertEquals([vars.get("E"), vars.get("x"), vars.get("y")], ["env", "1", undefined]);
  assertEquals(vars.environment(), { E: "env" });
});

Deno.test("variables: makeLocal outside a call does nothing", () => {
  const vars = new Variables({});
  vars.makeLocal("x");
  vars.set("x", "1");
  vars.pushFrame();
  vars.popFrame();
  assertEquals(vars.get("x"), "1");
});

Deno.test("variables: prefix assignments are set and exported during the call, then put back", async () => {
  const vars = new Variables({ A: "outer" });
  vars.set("B", "kept");
  let seen: Record<string, string> = {};
  const status = await vars.withAssigns([["A", "1"], ["B", "2"], ["C", "3"]], () => {
    seen = vars.environment();
    return Promise.resolve(7);
  });
  assertEquals(status, 7);
  assertEquals(seen, { A: "1", B: "2", C: "3" });
  assertEquals([vars.get("A"), vars.get("B"), vars.get("C")], ["outer", "kept", undefined]);
  assertEquals(vars.environment(), { A: "outer" });
});

Deno.test("variables: prefix assignments are put back when the call throws", async () => {
  const vars = new Variables({});
  let failed = false;
  try {
    await vars.withAssigns([["A", "1"]], () => Promise.reject(new Error("boom")));
  } catch {
    failed = true;
  }
  assert(failed);
  assertEquals([vars.get("A"), vars.environment()], [undefined, {}]);
});

Deno.test("variables: a copy is independent, locals included", () => {
  const vars = new Variables({});
  vars.set("x", "1");
  vars.pushFrame();
  vars.makeLocal("x");
  const copy = vars.copy();
  copy.set("x", "2");
  copy.setReadonly("x");
  assertEquals(vars.get("x"), "1");
  vars.set("x", "3"); // not read-only here
  copy.popFrame();
  assertEquals(copy.get("x"), "1");
});
