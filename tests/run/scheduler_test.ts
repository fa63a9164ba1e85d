// The scheduler alone, with fake steps (no lock, no adapter): dependency order, the job
// limit, fail-fast through the run state, and an internal error that still ends a step.
import { assert, assertEquals } from "../_assert.ts";
import { schedule, type ScheduledStep } from "../../src/run/scheduler.ts";
import { RunState } from "../../src/run/run_state.ts";
import { newRecord, type StepRecord } from "../../src/run/records.ts";
import type { LockStep } from "../../src/schema/lock.ts";

/** Resolves after every pending timer and microtask of this turn (no wall-clock bound). */
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function fakeStep(id: string, needs: string[] = [], ifStatus?: string): LockStep {
  return {
    id,
    needs,
    cache: { policy: "auto" },
    ...(ifStatus ? { if: { status: ifStatus } } : {}),
  } as unknown as LockStep;
}

Deno.test("a step starts only when all its needs are done; ties in table order", async () => {
  const steps: ScheduledStep[] = [
    { id: "d", needs: ["b", "c"] },
    { id: "b", needs: ["a"] },
    { id: "a", needs: [] },
    { id: "c", needs: [] },
  ];
  const events: string[] = [];
  await schedule(steps, {
    jobs: 1,
    onQueued: (id) => events.push(`queued ${id}`),
    mayStart: () => true,
    skip: () => {},
    run: async (id) => {
      events.push(`start ${id}`);
      await tick();
      events.push(`end ${id}`);
    },
  });
  assertEquals(events, [
    "queued a",
    "queued c",
    "start a",
    "end a",
    "queued b",
    "start c",
    "end c",
    "start b",
    "end b",
    "queued d",
    "start d",
    "end d",
  ]);
});

Deno.test("never more than `jobs` steps run at once, and every step runs", async () => {
  const steps = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, needs: [] }));
  let active = 0, most = 0;
  const ran: string[] = [];
  await schedule(steps, {
    jobs: 3,
    mayStart: () => true,
    skip: () => {},
    run: async (id) => {
      active++;
      most = Math.max(most, active);
      await tick();
      ran.push(id);
      active--;
    },
  });
  assertEquals(most, 3);
  assertEquals(ran.length, 12);
});

Deno.test("a need outside the scheduled set counts as done", async () => {
  const ran: string[] = [];
  await schedule([{ id: "b", needs: ["not-selected"] }], {
    jobs: 2,
    mayStart: () => true,
    skip: () => {},
    run: (id) => Promise.resolve(void ran.push(id)),
  });
  assertEquals(ran, ["b"]);
});

Deno.test("a step whose run rejects is reported and its dependants are still queued", async () => {
  const errors: string[] = [];
  const ran: string[] = [];
  await schedule([{ id: "a", needs: [] }, { id: "b", needs: ["a"] }], {
    jobs: 2,
    mayStart: () => true,
    skip: () => {},
    run: (id) => {
      ran.push(id);
      return id === "a" ? Promise.reject(new Error("boom")) : Promise.resolve();
    },
    onError: (id, error) => errors.push(`${id}: ${(error as Error).message}`),
  });
  assertEquals(errors, ["a: boom"]);
  assertEquals(ran, ["a", "b"]);
});

/** Schedules fake records as the engine does: the run state decides, failures fail fast. */
async function runFake(
  records: StepRecord[],
  state: RunState,
  outcome: (r: StepRecord, controller: AbortController) => Promise<StepRecord["state"]>,
): Promise<void> {
  const byId = new Map(records.map((r) => [r.step.id, r]));
  await schedule(records.map((r) => r.step), {
    jobs: 2,
    mayStart: (id) => state.mayGoOn(byId.get(id)!),
    skip: (id) => byId.get(id)!.state = state.cancelled ? "cancelled" : "skipped",
    run: async (id) => {
      const r = byId.get(id)!;
      const controller = new AbortController();
      state.running.set(id, { controller, r });
      r.state = await outcome(r, controller);
      state.running.delete(id);
    },
    onDone: (id) => state.stepDone(byId.get(id)!),
  });
}

Deno.test("fail-fast: a failure aborts the running steps and skips those not started", async () => {
  const records = [
    newRecord(fakeStep("slow"), false),
    newRecord(fakeStep("bad"), false),
    newRecord(fakeStep("after", ["bad"]), false),
    newRecord(fakeStep("cleanup", ["bad"], "always"), false),
  ];
  const state = new RunState({ continueMode: "never" });
  const reasons: string[] = [];
  await runFake(records, state, async (r, controller) => {
    if (r.step.id === "bad") {
      await tick();
      return "failed";
    }
    if (r.step.id === "slow") {
      await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
      reasons.push(String(controller.signal.reason));
      return "cancelled";
    }
    return "succeeded";
  });
  assert(state.failing);
  assertEquals(reasons, ["fail-fast"]);
  assertEquals(records.map((r) => `${r.step.id}=${r.state}`), [
    "slow=cancelled",
    "bad=failed",
    "after=skipped",
    "cleanup=succeeded",
  ]);
});

Deno.test("--continue always: a failure starts no fail-fast and the rest runs", async () => {
  const records = [
    newRecord(fakeStep("bad"), false),
    newRecord(fakeStep("other"), false),
    newRecord(fakeStep("later", ["other"]), false),
  ];
  const state = new RunState({ continueMode: "always" });
  await runFake(
    records,
    state,
    (r) => Promise.resolve(r.step.id === "bad" ? "failed" : "succeeded"),
  );
  assert(state.failing);
  assertEquals(records.map((r) => r.state), ["failed", "succeeded", "succeeded"]);
});

Deno.test("a cancelled run starts only steps whose condition holds when cancelled", async () => {
  const records = [
    newRecord(fakeStep("a"), false),
    newRecord(fakeStep("b", [], "cancelled"), false),
  ];
  const state = new RunState({ cancelled: true });
  await runFake(records, state, () => Promise.resolve("succeeded"));
  assertEquals(records.map((r) => r.state), ["cancelled", "succeeded"]);
});
