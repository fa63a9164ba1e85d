// Faults that must leave nothing lost: real `lily run` processes, real signals.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, hasTool, skipUnless } from "../_tools.ts";
import {
  filesUnder,
  latestEvents,
  latestManifest,
  processesWith,
  project,
  run,
  spawnRun,
  until,
} from "./_run.ts";

const linux = Deno.build.os === "linux";

const THREE = `petal: "1"
name: faults
steps:
  - id: a
    uses: shell
    with: {run: "mkdir -p out && echo A > out/a.txt"}
    outputs: {f: {type: file, path: out/a.txt}}
  - id: b
    uses: shell
    with: {run: "echo value=B >> \\"$LILY_OUTPUT\\""}
    outputs: {value: {type: str}}
  - id: slow
    uses: shell
    needs: [a, b]
    inputs: {f: {from: steps.a.outputs.f}}
    with: {run: "if [ -f go ]; then exit 0; fi; sleep 30.25"}
`;

Deno.test({
  name: "SIGKILL mid-run leaves no partial cache entry, and the re-run hits the finished steps",
  ignore: !linux,
  fn: async () => {
    const dir = await project({ "flow.petal": THREE });
    try {
      const child = spawnRun(dir, ["-j", "2"]);
      await until(
        () => latestEvents(dir).filter((e) => e.type === "step.finished").length >= 2,
        20_000,
        "a and b to finish",
      );
      await until(
        () => latestEvents(dir).some((e) => e.type === "step.started" && e.step === "slow"),
        10_000,
        "slow to start",
      );
      child.kill("SIGKILL");
      await child.status;
      for (const pid of processesWith("sleep 30.25")) Deno.kill(pid, "SIGKILL");
      const cacheFiles = filesUnder(`${dir}/.lily/cache`);
      assert(!cacheFiles.some((f) => f.endsWith(".tmp")), `no temp files left: ${cacheFiles}`);
      const journal = Deno.readTextFileSync(`${dir}/.lily/cache/records.jsonl`);
      for (const line of journal.split("\n").filter(Boolean)) JSON.parse(line); // all complete
      await Deno.writeTextFile(`${dir}/go`, "");
      const again = await run(dir);
      assertEquals(again.code, 0, again.stdout + again.stderr);
      const m = latestManifest(dir);
      assertEquals([m.steps.a.status, m.steps.b.status, m.steps.slow.status], [
        "cached",
        "cached",
        "succeeded",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "SIGINT cancels gracefully: exit 130, manifest status cancelled, children gone",
  ignore: !linux,
  fn: async () => {
    const dir = await project({ "flow.petal": THREE });
    try {
      const child = spawnRun(dir);
      await until(
        () => latestEvents(dir).some((e) => e.type === "step.started" && e.step === "slow"),
        20_000,
        "slow to start",
      );
      child.kill("SIGINT");
      const status = await child.status;
      assertEquals(status.code, 130);
      const m = latestManifest(dir);
      assertEquals(m.status, "cancelled");
      assertEquals(m.steps.slow.status, "cancelled");
      await until(
        () => processesWith("sleep 30.25").length === 0,
        5000,
        "the step's process to be gone",
      );
      assert(latestEvents(dir).some((e) => e.type === "run.finished" && e.status === "cancelled"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("two concurrent runs of one lock both succeed and leave a consistent cache", async () => {
  const flow = `petal: "1"
name: twins
steps:
${
    Array.from({ length: 12 }, (_, i) =>
      `  - id: s${i}
    uses: shell
    with: {run: "mkdir -p out && echo ${i} > out/s${i}.txt && echo n=${i} >> \\"$LILY_OUTPUT\\""}
    outputs: {f: {type: file, path: out/s${i}.txt}, n: {type: int}}`).join("\n")
  }
`;
  const dir = await project({ "flow.petal": flow });
  try {
    const [one, two] = await Promise.all([run(dir, ["-j", "2"]), run(dir, ["-j", "2"])]);
    assertEquals([one.code, two.code], [0, 0], one.stderr + two.stderr);
    for (let i = 0; i < 12; i++) {
      assertEquals(Deno.readTextFileSync(`${dir}/out/s${i}.txt`), `${i}\n`);
    }
    const third = await run(dir);
    assertEquals(third.code, 0);
    assertEquals(latestManifest(dir).counts.cached, 12, "every entry readable and valid");
    assert(!filesUnder(`${dir}/.lily/cache`).some((f) => f.endsWith(".tmp")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a flipped byte in a cache entry is a miss with a warning, then the step runs again", async () => {
  const dir = await project({ "flow.petal": THREE.replace("sleep 30.25", "true") });
  try {
    assertEquals((await run(dir)).code, 0);
    // Corrupt the blob of a's file output, and the record of b's entry.
    const blobs = filesUnder(`${dir}/.lily/cache/blobs`);
    assertEquals(blobs.length, 1);
    const blobPath = `${dir}/.lily/cache/blobs/${blobs[0]}`;
    const bytes = Deno.readFileSync(blobPath);
    bytes[0] ^= 0xff;
    Deno.writeFileSync(blobPath, bytes);
    const bKey = latestManifest(dir).steps.b.cache.key as string;
    const journal = `${dir}/.lily/cache/records.jsonl`;
    const lines = Deno.readTextFileSync(journal).split("\n");
    const at = lines.findIndex((l) => l.startsWith(`{"key":"${bKey}"`));
    assert(at >= 0, "b's record is in the journal");
    lines[at] = lines[at].replace('"B"', '"C"');
    Deno.writeTextFileSync(journal, lines.join("\n"));
    const again = await run(dir);
    assertEquals(again.code, 0, again.stderr);
    assertMatch(
      again.stdout,
      /warning: a: corrupt entry removed: output `f` does not match its recorded sha256/,
    );
    assertMatch(
      again.stdout,
      /warning: b: corrupt entry removed: the entry's record does not match its digest/,
    );
    const m = latestManifest(dir);
    assertEquals([m.steps.a.status, m.steps.b.status], ["succeeded", "succeeded"]);
    assertEquals(Deno.readTextFileSync(`${dir}/out/a.txt`), "A\n");
    assertEquals(m.steps.b.outputs.value.value, "B");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a step printing 100 MB keeps Lily's memory bounded; the log is on disk",
  ignore: skipUnless("/usr/bin/time"),
  fn: async () => {
    const flow = `petal: "1"
name: loud
params:
  token: {type: secret}
steps:
  - id: loud
    uses: shell
    inputs: {token: {from: params.token}}
    resources: {binaries: [head, tr]}
    with: {run: "head -c 100000000 /dev/zero | tr '\\\\0' x"}
`;
    const dir = await project({ "flow.petal": flow });
    try {
      const mod = new URL("../../mod.ts", import.meta.url).pathname;
      // A secret input makes Lily stream the output itself (to mask it): the worst case.
      const out = await new Deno.Command("/usr/bin/time", {
        args: [
          "-f",
          "maxrss=%M",
          Deno.execPath(),
          "run",
          "-A",
          "--no-check",
          mod,
          "run",
          "flow.lock.yaml",
          "-q",
        ],
        cwd: dir,
        env: {
          NO_COLOR: "1",
          LILY_SECRET_TOKEN: "s3cret-value",
          XDG_CACHE_HOME: `${dir}/.xdg`,
          DENO_DIR: denoDir(),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      const rssKb = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
      assert(rssKb < 200_000, `peak RSS ${rssKb} KB`);
      const m = latestManifest(dir);
      const log = `${dir}/.lily/runs/${m.run_id}/${m.steps.loud.logs[0]}`;
      assertEquals(Deno.statSync(log).size, 100_000_000);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a timeout kills the process tree, including a grandchild that ignores SIGTERM",
  ignore: !linux,
  fn: async () => {
    const flow = `petal: "1"
name: stubborn
steps:
  - id: stubborn
    uses: shell
    timeout: 1s
    resources: {binaries: [sh, sleep]}
    with: {run: "sh -c 'trap \\"\\" TERM; sleep 40.5' & wait", shell: sh}
`;
    const dir = await project({ "flow.petal": flow });
    try {
      const started = Date.now();
      const out = await run(dir);
      const elapsed = Date.now() - started;
      assertEquals(out.code, 1);
      assertMatch(out.stdout, /stubborn.*timed out after 1000 ms/);
      assert(elapsed < 10_000, `took ${elapsed} ms`);
      await until(
        () => processesWith("sleep 40.5").length === 0,
        3000,
        "the grandchild to be killed",
      );
    } finally {
      for (const pid of processesWith("sleep 40.5")) Deno.kill(pid, "SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("retries back off exponentially within bounds", async () => {
  const flow = `petal: "1"
name: flaky
steps:
  - id: flaky
    uses: shell
    retries: {max: 3, backoff: 200ms, max_backoff: 300ms, jitter: false}
    with: {run: "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ $n -ge 2 ]"}
`;
  const dir = await project({ "flow.petal": flow });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout);
    const events = latestEvents(dir);
    const retries = events.filter((e) => e.type === "step.retry");
    assertEquals(retries.map((e) => e.delay_ms), [200, 300]);
    const starts = events.filter((e) => e.type === "step.started").map((e) =>
      Date.parse(e.ts as string)
    );
    assertEquals(starts.length, 3);
    // The waits are at least the delays; how much longer depends on the machine's load, so
    // no upper bound (the delays themselves are the events' delay_ms above).
    assert(starts[1] - starts[0] >= 200, `first gap ${starts[1] - starts[0]}`);
    assert(starts[2] - starts[1] >= 300, `second gap ${starts[2] - starts[1]}`);
    assertEquals(latestManifest(dir).steps.flaky.attempts, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a truncated lock is a clear error for run", async () => {
  const dir = await project({ "flow.petal": THREE });
  try {
    const text = Deno.readTextFileSync(`${dir}/flow.lock.yaml`);
    Deno.writeTextFileSync(`${dir}/flow.lock.yaml`, text.slice(0, text.length / 3));
    const out = await run(dir);
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /error\[LILY-E0702\]/);
    assert(!out.stderr.includes("    at "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

void hasTool;
