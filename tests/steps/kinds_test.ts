// The step-kind registry: each registered entry resolves to a kind object whose `build`
// makes the executor spec, and whose `check` gives positioned errors for its `with:` block;
// compose accepts exactly the registered kinds.
import { assert, assertEquals } from "../_assert.ts";
import { execSpecFor, EXECUTORS, stepKind } from "../../src/steps/mod.ts";
import { IMPLEMENTED_KINDS } from "../../src/steps/support.ts";
import { shellKind } from "../../src/steps/shell.ts";
import { processKind } from "../../src/steps/process.ts";
import type { LockStep } from "../../src/schema/lock.ts";
import type { Span } from "../../src/errors.ts";

const context = {
  cwd: "/p",
  env: {},
  binaries: {},
  readRoots: [],
  writeRoots: [],
  denyRoots: [],
  graceMs: 10,
  pid: 1,
};

Deno.test("every registered kind resolves to an object named after its key", () => {
  assertEquals([...IMPLEMENTED_KINDS].sort(), Object.keys(EXECUTORS).sort());
  for (const name of IMPLEMENTED_KINDS) {
    const kind = stepKind(name);
    assert(kind && kind.kind === name && typeof kind.build === "function", name);
  }
  assertEquals(stepKind("teleport"), undefined);
  assertEquals(stepKind("constructor"), undefined);
});

Deno.test("the engine's spec comes from the kind: Lily's shell, a shell program, an argv", () => {
  const step = (uses: string, w: Record<string, unknown>) =>
    ({ id: "s", uses, with: w }) as unknown as LockStep;
  assertEquals(execSpecFor(step("shell", { run: "echo hi" }), context).script, "echo hi");
  assertEquals(execSpecFor(step("shell", { run: "x", shell: "/bin/sh" }), context).argv, [
    "/bin/sh",
    "-e",
    "-c",
    "x",
  ]);
  assertEquals(execSpecFor(step("process", { argv: ["echo", 3] }), context).argv, ["echo", "3"]);
});

Deno.test("a kind's check positions its errors in the with: block, or at the step when absent", () => {
  const spans: string[] = [];
  const spanOf = (path: (string | number)[]): Span => {
    spans.push(path.join("."));
    return { file: "f.petal", line: 1, col: 1 };
  };
  assertEquals(shellKind.check!({ run: "  " }, { id: "a", spanOf }).map((e) => e.code), [
    "LILY-E0612",
  ]);
  assertEquals(shellKind.check!({}, { id: "a", spanOf }).length, 1);
  assertEquals(processKind.check!({ argv: [] }, { id: "b", spanOf })[0].code, "LILY-E0613");
  assertEquals(processKind.check!({ argv: [{}] }, { id: "b", spanOf })[0].code, "LILY-E0613");
  assertEquals(spans, ["run", "", "argv", "argv"]);
  assertEquals(shellKind.check!({ run: "true" }, { id: "a", spanOf }), []);
});
