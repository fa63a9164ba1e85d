// An attempt's parts alone: the log file is created on the first byte only and capped with a
// marker; the retry delay doubles up to its cap and yields to an adapter's Retry-After; an
// adapter's failure it marks not retryable is not retried.
import { assert, assertEquals } from "../_assert.ts";
import { AttemptLog, retryDelay, safeName } from "../../src/run/attempt.ts";
import { LOG_TRUNCATED } from "../../src/run/limits.ts";
import { runLock } from "../../src/run/engine.ts";
import { readLockFile } from "../../src/lock/read.ts";
import type { Adapter } from "../../adapters/types.ts";
import { project } from "./_run.ts";

Deno.test("an attempt log exists only once something is written, and is capped with a marker", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const seen: string[] = [];
    const hooks = { created: () => seen.push("created"), truncated: () => seen.push("truncated") };
    const quiet = new AttemptLog(`${dir}/quiet.log`, 10, hooks);
    await quiet.write("");
    quiet.close();
    assert(!(await Deno.stat(`${dir}/quiet.log`).then(() => true, () => false)));
    const loud = new AttemptLog(`${dir}/loud.log`, 10, hooks);
    await loud.write("0123456");
    await loud.write("789abcdef");
    await loud.write("more, dropped");
    loud.close();
    assertEquals(await Deno.readTextFile(`${dir}/loud.log`), "0123456789" + LOG_TRUNCATED);
    assertEquals(seen, ["created", "truncated"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("retry delays double up to the cap; jitter stays within half to all of it", () => {
  const retries = { max: 5, backoff_ms: 100, max_backoff_ms: 300, jitter: false };
  assertEquals([1, 2, 3, 4].map((n) => retryDelay(retries, n, {})), [100, 200, 300, 300]);
  assertEquals(retryDelay(retries, 3, { retryAfterMs: 5000 }), 5000);
  for (let i = 0; i < 50; i++) {
    const d = retryDelay({ ...retries, jitter: true }, 2, {});
    assert(d >= 100 && d <= 200, String(d));
  }
});

Deno.test("a step id becomes a safe file name", () => {
  assertEquals(safeName("a/b c:d"), "a_b_c_d");
});

Deno.test("an adapter's failure marked not retryable ends the step after one attempt", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: retry
steps:
  - id: a
    uses: shell
    retries: {max: 2, backoff: 1ms, max_backoff: 1ms}
    with: {run: "true"}
`,
  });
  try {
    const lock = await readLockFile(`${dir}/flow.lock.yaml`);
    const attempts = async (retryable: boolean | undefined) => {
      let calls = 0;
      const adapter: Adapter = {
        name: "failing",
        run: () => {
          calls++;
          return Promise.resolve({
            exitCode: null,
            signal: null,
            durationMs: 0,
            error: { code: "LILY-E0813", message: "no such thing" },
            ...(retryable === undefined ? {} : { retryable }),
          });
        },
      };
      const result = await runLock(lock, {
        projectRoot: dir,
        cacheDir: `${dir}/.cache`,
        adapterFor: () => adapter,
      });
      assertEquals(result.status, "failed");
      return calls;
    };
    assertEquals(await attempts(false), 1);
    assertEquals(await attempts(undefined), 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
