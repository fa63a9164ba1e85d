// What `lily run` prints: stdout stays machine-readable with `--events -`, progress is live,
// `-v` streams step output, `lily logs` prints and follows logs.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { denoDir, lily, skipUnless } from "../_tools.ts";
import { latestEvents, project, run, spawnLily, spawnRun, until } from "./_run.ts";

const NOISY = `petal: "1"
name: noisy
steps:
  - {id: ok, uses: shell, with: {run: "echo plain text from ok"}}
  - id: boom
    uses: shell
    retries: {max: 1, backoff: 10ms}
    with: {run: "echo not json; echo bad >&2; exit 3"}
  - {id: after, uses: shell, needs: [boom], with: {run: "echo after"}}
`;

Deno.test("--events - leaves stdout pure JSON lines, also when a step fails and retries", async () => {
  const dir = await project({ "flow.petal": NOISY });
  try {
    for (const extra of [[], ["-v"], ["--continue", "always"]]) {
      const out = await run(dir, ["--events", "-", ...extra]);
      assertEquals(out.code, 1, out.stderr);
      const lines = out.stdout.split("\n").filter((l) => l !== "");
      assert(lines.length > 3, out.stdout);
      for (const line of lines) JSON.parse(line); // throws on any human line
      assertEquals(JSON.parse(lines[lines.length - 1]).type, "run.finished");
      assert(out.stdout.endsWith("\n"));
      assertMatch(out.stderr, /✗ boom/, "the human lines go to stderr");
      assertMatch(out.stderr, /failed: .* ran/, "so does the summary");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Reads `stream` until the text read so far matches `pattern`; returns all of it. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seen: { text: string },
  pattern: RegExp,
): Promise<string> {
  const decoder = new TextDecoder();
  while (!pattern.test(seen.text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${pattern}:\n${seen.text}`);
    seen.text += decoder.decode(value, { stream: true });
  }
  return seen.text;
}

const CHATTY = `petal: "1"
name: chatty
steps:
  - {id: one, uses: shell, with: {run: "echo first line; echo second line"}}
  - id: waiter
    uses: shell
    with: {run: "echo before; while [ ! -f go ]; do sleep 0.05; done; echo after"}
`;

Deno.test("-v streams step output, each line prefixed by its step id; without -v it stays in the log", async () => {
  const dir = await project({ "flow.petal": CHATTY });
  try {
    await Deno.writeTextFile(`${dir}/go`, "");
    const quiet = await run(dir);
    assertEquals(quiet.code, 0, quiet.stderr);
    assert(!quiet.stdout.includes("first line"), quiet.stdout);
    const verbose = await run(dir, ["-v", "--from", "one"]);
    assertEquals(verbose.code, 0, verbose.stderr);
    assertMatch(verbose.stdout, /^one │ first line$/m);
    assertMatch(verbose.stdout, /^one │ second line$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "lily logs prints a run's logs; -f follows a running step until the run ends",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await project({ "flow.petal": CHATTY });
    try {
      const runner = spawnRun(dir, ["-j", "2"]);
      await until(
        () => latestEvents(dir).some((e) => e.type === "step.started" && e.step === "waiter"),
        60_000,
        "waiter to start",
      );
      const follow = spawnLily(dir, ["logs", "latest", "waiter", "-f"]);
      const reader = follow.stdout.getReader();
      const seen = { text: "" };
      await readUntil(reader, seen, /before\n/);
      assert(!seen.text.includes("after"));
      await Deno.writeTextFile(`${dir}/go`, "");
      await readUntil(reader, seen, /after\n/);
      reader.releaseLock();
      const status = await follow.status;
      assertEquals(status.code, 0, "follow ends with the run");
      assertEquals(seen.text, "before\nafter\n");
      assertEquals((await runner.status).code, 0);
      const all = await lily(["logs", "latest"], { cwd: dir });
      assertEquals(all.code, 0, all.stderr);
      assertMatch(all.stdout, /── one\nfirst line\nsecond line\n/);
      assertMatch(all.stdout, /── waiter\nbefore\nafter\n/);
      const typo = await lily(["logs", "latest", "waitr"], { cwd: dir });
      assertEquals(typo.code, 2);
      assertMatch(typo.stderr, /LILY-E0832[\s\S]*did you mean `waiter`/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "on a terminal the status line's elapsed time ticks while a step runs",
  ignore: Deno.build.os !== "linux" || skipUnless("script"),
  fn: async () => {
    const dir = await project({ "flow.petal": CHATTY });
    try {
      const mod = new URL("../../mod.ts", import.meta.url).pathname;
      // `script` gives lily a pseudo-terminal and copies what it prints to our pipe.
      const child = new Deno.Command("script", {
        args: [
          "-qfec",
          `${Deno.execPath()} run -A --no-check ${mod} run flow.lock.yaml`,
          "/dev/null",
        ],
        cwd: dir,
        env: {
          RUST_BACKTRACE: "0",
          NO_COLOR: "1",
          XDG_CACHE_HOME: `${dir}/.xdg`,
          DENO_DIR: denoDir(),
        },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.getReader();
      const seen = { text: "" };
      // Two different elapsed times while `waiter` is still waiting: the line is redrawn
      // without any event (none happens while the step waits).
      const times = () =>
        new Set(
          [...seen.text.matchAll(/running: [^\r\n]*waiter[^\r\n]*· (\d+\.\d)s/g)].map((m) => m[1]),
        );
      const decoder = new TextDecoder();
      // Without ticking nothing more is printed: release the step after a minute so that the
      // run ends and the test fails instead of hanging.
      const watchdog = setTimeout(() => Deno.writeTextFileSync(`${dir}/go`, ""), 60_000);
      while (times().size < 3) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`lily ended first:\n${seen.text}`);
        seen.text += decoder.decode(value, { stream: true });
      }
      clearTimeout(watchdog);
      assert(!exists(`${dir}/go`));
      await Deno.writeTextFile(`${dir}/go`, "");
      reader.releaseLock();
      await child.stdin.close();
      const status = await child.status;
      assertEquals(status.code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const SECRETIVE = `petal: "1"
name: secretive
params:
  tok: {type: secret}
steps:
  - id: a
    uses: shell
    inputs: {tok: {from: params.tok}}
    with: {run: 'echo "token is $LILY_INPUT_TOK"; echo after line; echo final error message here >&2; exit 3'}
`;

Deno.test("-v streams a secret-holding step's output to its last byte (what the masker held back is flushed)", async () => {
  const dir = await project({ "flow.petal": SECRETIVE });
  try {
    const out = await lily(["run", "flow.lock.yaml", "-v"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg`, LILY_SECRET_TOK: "abcdefghijklmnop" },
    });
    assertEquals(out.code, 1, out.stderr);
    const console = out.stdout + out.stderr;
    assertMatch(console, /^a │ token is \*\*\*$/m);
    assertMatch(console, /^a │ final error message here$/m);
    assert(!console.includes("abcdefghijklmnop"), console);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
