// What this version cannot run is refused with a position, never run half-way or ignored:
// `uses:` kinds without an executor and `adapter:` values without an adapter, at compose and
// in a lock edited by hand; and a lock with no flow source cannot be composed again.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { implementedAdapters } from "../../adapters/mod.ts";
import { IMPLEMENTED_ADAPTERS, IMPLEMENTED_KINDS } from "../../src/steps/support.ts";
import { ADAPTERS, STEP_KINDS } from "../../src/schema/petal.ts";

function flow(step: string): string {
  return `petal: "1"
name: s
steps:
  - id: ok
    uses: shell
    with: {run: "echo ok"}
${step}`;
}

const NOT_YET = STEP_KINDS.filter((k) => !IMPLEMENTED_KINDS.includes(k));

Deno.test("the kinds refused are exactly those without an executor", () => {
  assertEquals(IMPLEMENTED_KINDS, [
    "shell",
    "process",
    "python",
    "tool",
    "llm",
    "foreach",
    "include",
    "human",
  ]);
  // Every kind of the language runs: LILY-E0210 is left for a lock edited to name one that
  // a later version adds (the lock reader's guard).
  assertEquals(NOT_YET, []);
  assertEquals(IMPLEMENTED_ADAPTERS, ["process", "docker", "python", "http"]);
  // Compose accepts exactly the adapters the engine can create.
  assertEquals([...implementedAdapters()].sort(), [...IMPLEMENTED_ADAPTERS].sort());
});

Deno.test("compose refuses an adapter not implemented yet, and `http` on a shell step; accepts `process`", async () => {
  for (const adapter of ADAPTERS) {
    const dir = await tempProject({
      "f.petal": flow(
        `  - id: b\n    uses: shell\n    adapter: ${adapter}\n    with: {run: "echo"}\n`,
      ),
    });
    try {
      const { code, stderr } = await lily(["compose", "f.petal", "-o", "-"], { cwd: dir });
      if (adapter === "process") {
        assertEquals(code, 0, stderr);
      } else if (adapter === "http") {
        // Implemented, for `uses: tool` only (tests/adapters/http_test.ts).
        assertEquals(code, 2, stderr);
        assertMatch(
          stderr,
          /error\[LILY-E0920\]: http step `b`: `adapter: http` does not run `uses: shell`/,
        );
        assertMatch(stderr, /--> f\.petal:9:14/);
      } else if (adapter === "python") {
        // Implemented, for python steps with runtime pyodide only (tests/steps/python_pyodide_test.ts).
        assertEquals(code, 2, stderr);
        assertMatch(
          stderr,
          /error\[LILY-E0684\]: step `b`: `adapter: python` runs only `uses: python` steps/,
        );
        assertMatch(stderr, /--> f\.petal:9:14/);
      } else if ((IMPLEMENTED_ADAPTERS as readonly string[]).includes(adapter)) {
        // Implemented since (docker: tests/adapters/): not refused as unimplemented.
        assert(!stderr.includes("LILY-E0211"), stderr);
      } else {
        assertEquals(code, 2, stderr);
        assertMatch(stderr, /error\[LILY-E0211\]: step `b`: `adapter: \w+` is not implemented yet/);
        assertMatch(stderr, /--> f\.petal:9:14/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("a lock edited by hand to another kind or adapter is refused when read, with its line", async () => {
  const dir = await tempProject({ "f.petal": flow("") });
  try {
    const composed = await lily(["compose", "f.petal", "-o", "f.lock.yaml"], { cwd: dir });
    assertEquals(composed.code, 0, composed.stderr);
    const text = await Deno.readTextFile(`${dir}/f.lock.yaml`);
    assert(text.includes("      uses: shell\n") && text.includes("      adapter: process\n"));
    // Every adapter Petal names exists in this version: only a kind can be missing. Every kind
    // Petal names runs now: a kind this version does not run is one the lock's schema does not
    // name, refused as an invalid lock at its line (E0210 while one was missing).
    const missing = NOT_YET[0] ?? "teleport";
    const edited = text.replace("      uses: shell\n", `      uses: ${missing}\n`);
    await Deno.writeTextFile(`${dir}/f.lock.yaml`, edited);
    const lines = edited.split("\n");
    const usesLine = lines.indexOf(`      uses: ${missing}`) + 1;
    const { code, stderr } = await lily(["run", "f.lock.yaml"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertMatch(
      stderr,
      new RegExp(
        `LILY-E0${NOT_YET.length ? "210" : "702"}.*\\n {2}--> f\\.lock\\.yaml:${usesLine}:13`,
      ),
    );
    assert(!/internal error/.test(stderr), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock with no flow source is a positioned error for verify --recompose", async () => {
  const dir = await tempProject({ "f.petal": flow("") });
  try {
    const composed = await lily(["compose", "f.petal", "-o", "f.lock.yaml"], { cwd: dir });
    assertEquals(composed.code, 0, composed.stderr);
    const text = await Deno.readTextFile(`${dir}/f.lock.yaml`);
    assert(text.includes("role: flow"), text);
    await Deno.writeTextFile(`${dir}/f.lock.yaml`, text.replace("role: flow", "role: overlay"));
    const { code, stderr } = await lily(["verify", "f.lock.yaml", "--recompose"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertMatch(stderr, /error\[LILY-E0212\]: `f\.lock\.yaml` names no `flow` source/);
    assertMatch(stderr, /--> f\.lock\.yaml:\d+:3/);
    assert(!/internal error/.test(stderr), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
