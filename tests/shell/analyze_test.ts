// Static analysis: commandsOf lists every command a script may start, with the offset of its
// name, whether it is a built-in, and no name when the name is only known at run time.
import { assertEquals } from "../_assert.ts";
import { commandsOf, type CommandUse } from "../../src/shell/analyze.ts";
import { parseScript } from "../../src/shell/parser.ts";

function uses(script: string): CommandUse[] {
  return JSON.parse(JSON.stringify(commandsOf(parseScript(script))));
}

/** Each use as [name, the script's text at pos, builtin]. */
function located(script: string): [string | undefined, string, boolean][] {
  return uses(script).map((u) => [
    u.name,
    script.slice(u.pos, u.pos + (u.name ?? "").length),
    u.builtin,
  ]);
}

Deno.test("analyze: lists commands in source order with their offsets", () => {
  assertEquals(uses("echo a; tr a b"), [
    { name: "echo", pos: 0, builtin: true },
    { name: "tr", pos: 8, builtin: false },
  ]);
});

Deno.test("analyze: every offset points at the command's name in the script", () => {
  const script = "A=1 curl x | jq .\nif git status; then make; fi";
  for (const [name, text] of located(script)) assertEquals(text, name);
  assertEquals(located(script).map(([n]) => n), ["curl", "jq", "git", "make"]);
});

Deno.test("analyze: finds commands inside `$(…)` and in pipelines", () => {
  assertEquals(uses("echo $(date) | curl -d @- x"), [
    { name: "echo", pos: 0, builtin: true },
    { name: "date", pos: 7, builtin: false },
    { name: "curl", pos: 15, builtin: false },
  ]);
});

Deno.test("analyze: finds commands in if, for, while and until, conditions included", () => {
  const names = uses(
    "if a1; then a2; elif a3; then a4; else a5; fi; for f in $(a6); do a7; done; while a8; do a9; done; until b1; do b2; done",
  ).map((u) => u.name);
  assertEquals(names, ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b1", "b2"]);
});

Deno.test("analyze: finds commands in subshells, groups and `&&`/`||` lists", () => {
  assertEquals(uses("( a ) && { b; } || c").map((u) => u.name), ["a", "b", "c"]);
});

Deno.test("analyze: finds commands in assignments, redirections and parameter defaults", () => {
  assertEquals(
    uses("X=$(id) true > $(mktemp); echo ${U:-$(whoami)} $(( $(nproc) + 1 ))").map((u) => u.name),
    ["id", "true", "mktemp", "echo", "whoami", "nproc"],
  );
});

Deno.test("analyze: finds a command inside backticks at its offset in the script", () => {
  assertEquals(uses("echo `uname`"), [
    { name: "echo", pos: 0, builtin: true },
    { name: "uname", pos: 6, builtin: false },
  ]);
});

Deno.test("analyze: marks built-ins, and a path is never a built-in", () => {
  assertEquals(
    uses("cat f; /bin/cat f; ./echo; printf x; sort").map((u) => [u.name, u.builtin]),
    [["cat", true], ["/bin/cat", false], ["./echo", false], ["printf", true], ["sort", false]],
  );
});

Deno.test("analyze: `[` and `test` are both built-ins with a name", () => {
  assertEquals(uses("[ -f x ] && test -d y"), [
    { name: "[", pos: 0, builtin: true },
    { name: "test", pos: 12, builtin: true },
  ]);
});

Deno.test("analyze: a name that is an expansion has no name and is not a built-in", () => {
  for (
    const script of [
      "$CMD arg",
      '"$CMD" arg',
      "${C:-curl} x",
      "$(echo curl) x",
      "~/bin/tool",
      "t* x",
    ]
  ) {
    // The command itself is the use at offset 0 (a substitution in its name comes after).
    assertEquals(uses(script).find((u) => u.pos === 0), { pos: 0, builtin: false }, script);
  }
});

Deno.test("analyze: a quoted literal name is a name", () => {
  assertEquals(uses("'tr' a b; \"cur\"l x; \\wget"), [
    { name: "tr", pos: 0, builtin: false },
    { name: "curl", pos: 10, builtin: false },
    { name: "wget", pos: 20, builtin: false },
  ]);
});

Deno.test("analyze: assignments and redirections alone start nothing", () => {
  assertEquals(uses("A=1 B=2; > f"), []);
});
