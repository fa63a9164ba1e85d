// The registry of built-ins (src/shell/commands/mod.ts): the documented set, each in the file
// named after it with a test file here, and built-ins never start a program.
import { assert, assertEquals } from "../../_assert.ts";
import { BUILTINS, isBuiltin } from "../../../src/shell/commands/mod.ts";
import { shIn } from "./_sh.ts";

Deno.test("builtins: the documented set of built-ins, and nothing from Object.prototype", () => {
  assertEquals(Object.keys(BUILTINS).sort(), [
    ":",
    "[",
    "break",
    "cat",
    "cd",
    "continue",
    "cp",
    "echo",
    "exit",
    "export",
    "false",
    "local",
    "mkdir",
    "mv",
    "printenv",
    "printf",
    "pwd",
    "read",
    "readonly",
    "return",
    "rm",
    "set",
    "shift",
    "sleep",
    "test",
    "touch",
    "true",
    "unset",
  ]);
  assertEquals(["constructor", "toString", "__proto__"].map(isBuiltin), [false, false, false]);
});

Deno.test("builtins: built-ins start no program", async () => {
  const result = await shIn("echo a | cat; printf x > f; test -f f; mkdir d; touch d/t; rm -r d");
  assertEquals(result.spawned, 0);
});

/** The file a built-in lives in: its own name, but `:` is `true`'s twin and `[` is `test`. */
function fileOf(name: string): string {
  return ({ ":": "true", "[": "test" } as Record<string, string>)[name] ?? name;
}

Deno.test("builtins: each lives in commands/<name>.ts and has tests/shell/commands/<name>_test.ts", async () => {
  for (const name of Object.keys(BUILTINS)) {
    const file = fileOf(name);
    const source = new URL(`../../../src/shell/commands/${file}.ts`, import.meta.url);
    const test = new URL(`./${file}_test.ts`, import.meta.url);
    assert(Deno.statSync(test).isFile, `no test file for \`${name}\``);
    const exports = Object.values(await import(source.href));
    // `test` and `[` are made by one factory (`]` or not), so they are not the export itself.
    if (file !== "test") {
      assert(exports.includes(BUILTINS[name]), `${file}.ts does not export \`${name}\``);
    } else assertEquals(exports.length, 1);
  }
});
