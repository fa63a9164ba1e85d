import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { composeSources, recomposeLock } from "../../src/pipeline.ts";
import { verifyLock } from "../../src/lock/verify.ts";
import { tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: v
params:
  n: {type: int, default: 1}
steps:
  - {id: a, uses: process, with: {argv: [echo, a]}}
`;

async function composed(files: Record<string, string>, params: Record<string, string> = {}) {
  const dir = await tempProject(files);
  const [point] = await composeSources(["flow.petal"], { cwd: dir, params });
  await Deno.mkdir(`${dir}/locks`, { recursive: true });
  await Deno.writeTextFile(point.outputPath, point.text);
  return { dir, path: point.outputPath, lock: point.lock };
}

Deno.test("an untouched project verifies, with and without recompose", async () => {
  const { dir, path, lock } = await composed({ "flow.petal": FLOW }, { n: "3" });
  try {
    assertEquals((await verifyLock(path, lock)).ok, true);
    const report = await verifyLock(path, lock, { recompose: recomposeLock });
    assertEquals(report.ok, true, JSON.stringify(report.findings));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reformatting a source is drift of the file but not of the plan", async () => {
  const { dir, path, lock } = await composed({ "flow.petal": FLOW });
  try {
    await Deno.writeTextFile(
      `${dir}/flow.petal`,
      FLOW.replace("name: v", "name:    v   # reformatted"),
    );
    assertEquals(
      (await verifyLock(path, lock)).ok,
      false,
      "without recompose, changed bytes are drift",
    );
    const report = await verifyLock(path, lock, { recompose: recomposeLock });
    assertEquals(report.findings.map((f) => [f.kind, f.severity]), [["source-changed", "warning"]]);
    assertEquals(report.ok, true);
    assertEquals(report.diff, undefined);
    assertEquals(
      (await verifyLock(path, lock, { recompose: recomposeLock, strict: true })).ok,
      false,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a semantic change is drift, with a diff", async () => {
  const { dir, path, lock } = await composed({ "flow.petal": FLOW });
  try {
    await Deno.writeTextFile(`${dir}/flow.petal`, FLOW.replace("echo, a", "echo, b"));
    const report = await verifyLock(path, lock, { recompose: recomposeLock });
    assertEquals(report.ok, false);
    assert(report.findings.some((f) => f.kind === "plan-changed"));
    assertEquals(Object.keys(report.diff!.steps.changed), ["a"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing source is drift", async () => {
  const { dir, path, lock } = await composed({
    "flow.petal": FLOW,
    "profiles/p.yaml": "params: {n: 2}\n",
  });
  try {
    await Deno.remove(`${dir}/flow.petal`);
    const report = await verifyLock(path, lock);
    assertEquals(report.ok, false);
    assertMatch(report.findings[0].message, /flow `flow.petal` is missing/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
