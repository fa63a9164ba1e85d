// How a run stops: fail-fast spares the steps whose condition holds after a failure, on_error
// steps notify every time, and Ctrl-C (SIGINT to the whole process group, as a terminal sends
// it) cancels — once gracefully, twice at once — and always leaves a record that says so.
import { assert, assertEquals, assertNotMatch } from "../_assert.ts";
import {
  killGroup,
  latestEvents,
  latestManifest,
  project,
  run,
  spawnGroup,
  until,
} from "./_run.ts";

const linux = Deno.build.os === "linux";

/** `lily run`'s streams and status, once it has ended. */
async function ended(child: Deno.ChildProcess) {
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const FAIL_FAST = `petal: "1"
name: failfast
steps:
  - id: long
    uses: shell
    if: always()
    with: {run: "touch long.started; while [ ! -f release ]; do sleep 0.05; done; echo long done"}
  - id: bystander
    uses: shell
    resources: {binaries: [cat]} # another policy: its own sandbox hosts (two per policy at most)
    with: {run: "touch bystander.started; while [ ! -f never ]; do sleep 0.05; done"}
  - id: boom
    uses: shell
    with: {run: "while [ ! -f long.started ] || [ ! -f bystander.started ]; do sleep 0.05; done; exit 3"}
  - id: cleanup
    uses: shell
    needs: [boom]
    if: always()
    with: {run: "touch release"}
  - id: notice
    uses: shell
    needs: [boom]
    if: failure()
    with: {run: "echo failure noticed"}
  - id: after
    uses: shell
    needs: [boom]
    with: {run: "echo never runs"}
on_error:
  - {id: notify, uses: shell, if: failure(), with: {run: "echo notified"}}
`;

Deno.test("fail-fast (the default) spares always() and failure() steps, running or not yet started", async () => {
  const dir = await project({ "flow.petal": FAIL_FAST });
  try {
    // `long` is running when `boom` fails, and only `cleanup` (after the failure) releases it.
    const out = await run(dir, ["-j", "8"]);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.status, "failed");
    assertEquals(m.steps.boom.status, "failed");
    assertEquals(m.steps.long.status, "succeeded", "a running always() step is not killed");
    assertEquals(m.steps.cleanup.status, "succeeded", "an always() step starts after a failure");
    assertEquals(m.steps.notice.status, "succeeded", "a failure() step starts after a failure");
    assertEquals(m.steps.bystander.status, "cancelled", "other running steps are cancelled");
    assert(["skipped", "cancelled"].includes(m.steps.after.status), m.steps.after.status);
    assertEquals(m.steps.notify.status, "succeeded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const ON_ERROR = `petal: "1"
name: notify
steps:
  - {id: boom, uses: shell, with: {run: "exit 3"}}
on_error:
  - {id: notify, uses: shell, with: {run: "echo notified"}}
  - {id: opted_in, uses: shell, cache: {policy: auto}, with: {run: "echo cached notice"}}
`;

Deno.test("on_error steps are not cached by default: a second failure notifies again", async () => {
  const dir = await project({ "flow.petal": ON_ERROR });
  try {
    const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    assert(/id: notify[\s\S]*?policy: never/.test(lock), "the lock records policy never");
    for (const round of [1, 2]) {
      const out = await run(dir);
      assertEquals(out.code, 1, out.stdout + out.stderr);
      const m = latestManifest(dir);
      assertEquals(m.steps.notify.status, "succeeded", `round ${round}: notify ran`);
      assertEquals(m.steps.notify.cache.decision, "disabled");
      assertEquals(m.steps.opted_in.status, round === 1 ? "succeeded" : "cached");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const INTERRUPTED = `petal: "1"
name: interrupted
steps:
  - id: slow
    uses: shell
    with: {run: "touch slow.started; while [ ! -f never ]; do sleep 0.05; done"}
  - id: slow2
    uses: shell
    with: {run: "touch slow2.started; while [ ! -f never ]; do sleep 0.05; done"}
  - id: later
    uses: shell
    needs: [slow]
    with: {run: "echo later"}
  - id: on_cancel
    uses: shell
    needs: [slow]
    if: cancelled()
    with: {run: "echo cancel handled > cancel.txt"}
`;

Deno.test({
  name:
    "Ctrl-C to the process group cancels running steps (not `host exited`), runs cancelled() steps, exit 130",
  ignore: !linux,
  fn: async () => {
    const dir = await project({ "flow.petal": INTERRUPTED });
    try {
      const { child, pgid } = spawnGroup(dir, ["-j", "4"]);
      await until(
        () => exists(`${dir}/slow.started`) && exists(`${dir}/slow2.started`),
        60_000,
        "both slow steps to be running",
      );
      killGroup(pgid, "SIGINT");
      const out = await ended(child);
      assertEquals(out.code, 130, out.stdout + out.stderr);
      assertNotMatch(out.stdout + out.stderr, /host exited|failed:/);
      const m = latestManifest(dir);
      assertEquals(m.status, "cancelled");
      assertEquals(m.steps.slow.status, "cancelled");
      assertEquals(m.steps.slow2.status, "cancelled");
      assertEquals(m.steps.later.status, "cancelled");
      assertEquals(m.steps.on_cancel.status, "succeeded");
      assertEquals(Deno.readTextFileSync(`${dir}/cancel.txt`), "cancel handled\n");
      assert(latestEvents(dir).some((e) => e.type === "run.finished" && e.status === "cancelled"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a second Ctrl-C stops at once and still leaves a `cancelled` manifest and no scratch dir",
  ignore: !linux,
  fn: async () => {
    const flow = INTERRUPTED.replace(
      'run: "echo cancel handled > cancel.txt"',
      'run: "touch cancel.started; while [ ! -f never ]; do sleep 0.05; done"',
    );
    const dir = await project({ "flow.petal": flow });
    const tmp = await Deno.makeTempDir({ prefix: "lily-scratch-" });
    try {
      const { child, pgid } = spawnGroup(dir, ["-j", "4"], { TMPDIR: tmp });
      await until(() => exists(`${dir}/slow.started`), 60_000, "slow to be running");
      assertEquals([...Deno.readDirSync(tmp)].length, 1, "the run's scratch directory");
      killGroup(pgid, "SIGINT");
      // The cancelled() step keeps the run going until the second Ctrl-C.
      await until(() => exists(`${dir}/cancel.started`), 60_000, "on_cancel to be running");
      killGroup(pgid, "SIGINT");
      const out = await ended(child);
      assertEquals(out.code, 130, out.stdout + out.stderr);
      const m = latestManifest(dir);
      assertEquals(m.status, "cancelled");
      assert(m.finished_at, "finished_at is set");
      for (const [id, step] of Object.entries(m.steps as Record<string, { status: string }>)) {
        assert(!["running", "pending"].includes(step.status), `${id} is ${step.status}`);
      }
      assertEquals(m.steps.on_cancel.status, "cancelled");
      assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), [], "scratch removed");
      assert(latestEvents(dir).some((e) => e.type === "run.finished" && e.status === "cancelled"));
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
