// The run file lock alone: a second holder waits (and hears so) until the first releases
// it; a wait ends with nothing when the run is cancelled; `.lily/` gets its `.gitignore`.
import { assert, assertEquals } from "../_assert.ts";
import { acquireRunFileLock, ensureLilyDir } from "../../src/run/run_file_lock.ts";

Deno.test("a second run of the lock waits for the first, and a cancel ends the wait", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await acquireRunFileLock(dir, "sha256:abc");
    assert(first);
    let heard = false;
    const second = acquireRunFileLock(dir, "sha256:abc", {
      waitNoticeMs: 0,
      onWait: () => {
        heard = true;
        first.close();
      },
    });
    const got = await second;
    assert(got && heard);
    // Cancelled while waiting: the wait ends, and the lock is not held later by the
    // abandoned request (a library caller's process lives on).
    const cancel = new AbortController();
    const waiting = acquireRunFileLock(dir, "sha256:abc", {
      signal: cancel.signal,
      waitNoticeMs: 0,
      onWait: () => cancel.abort(),
    });
    assertEquals(await waiting, undefined);
    got.close();
    const third = await acquireRunFileLock(dir, "sha256:abc");
    assert(third);
    third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(".lily/ is created with a .gitignore of everything, kept when it exists", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await ensureLilyDir(dir);
    assertEquals((await Deno.readTextFile(`${dir}/.lily/.gitignore`)).split("\n")[1], "*");
    await Deno.writeTextFile(`${dir}/.lily/.gitignore`, "mine\n");
    await ensureLilyDir(dir);
    assertEquals(await Deno.readTextFile(`${dir}/.lily/.gitignore`), "mine\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
