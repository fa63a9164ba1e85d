// Records and manifest alone: the manifest at the start has no steps; at the end every step
// with its state and the counts; pending on_error steps of a finished run are left out;
// the text goes through the run's redaction; the synchronous write leaves no temp file.
import { assertEquals } from "../_assert.ts";
import { RunRecords } from "../../src/run/records.ts";
import type { LockFile } from "../../src/schema/lock.ts";

const step = (id: string) => ({ id, needs: [], cache: { policy: "auto" } });
const lock = {
  name: "r",
  spec_hash: "sha256:x",
  params: { n: { value: 2 }, token: { secret: true, source: "env:T" } },
  plan: { steps: [step("a"), step("b")], on_error: [step("notify")], outputs: [] },
} as unknown as LockFile;

Deno.test("the manifest: identity first, then steps, counts and no pending on_error step", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const records = new RunRecords(lock, {
      runId: "run1",
      runDir: dir,
      projectRoot: dir,
      jobs: 2,
      started: new Date(),
      redact: (t) => t.replaceAll("hunter2", "***"),
    });
    await records.write(false);
    const start = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    assertEquals([start.status, Object.keys(start.steps), start.params], ["running", [], { n: 2 }]);
    records.steps.get("a")!.state = "succeeded";
    records.steps.get("b")!.state = "failed";
    records.steps.get("b")!.manifest.error = "token hunter2 leaked";
    records.end("failed");
    records.writeSync();
    const end = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
    assertEquals(Object.keys(end.steps), ["a", "b"]);
    assertEquals(end.counts, { succeeded: 1, failed: 1 });
    assertEquals(end.steps.b.error, "token *** leaked");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["manifest.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
