// Compose never starts a program; sync takes version lines sandboxed, with a timeout that
// kills what the program started (issue 9 §3).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { hasTool, lily, tempProject } from "../_tools.ts";

function flow(binaries: string[]): string {
  return `petal: "1"
name: versions
steps:
  - id: hello
    uses: process
    resources: {binaries: [${binaries.join(", ")}]}
    with: {argv: [${binaries[0]}, hi]}
`;
}

/** A project whose `bin/` holds `logger` (logs every call) and `slow` (never answers). */
async function setup(binaries: string[]) {
  const dir = await tempProject({ "flow.petal": flow(binaries) });
  await Deno.mkdir(`${dir}/bin`);
  // Every invocation, whatever its arguments, appends a line to calls.log in the project.
  await Deno.writeTextFile(
    `${dir}/bin/logger`,
    `#!/bin/sh\necho "called: $*" >> '${dir}/calls.log'\necho "logger 4.2"\n`,
  );
  await Deno.writeTextFile(`${dir}/bin/slow`, "#!/bin/sh\nsleep 987654.321 &\nsleep 987654.321\n");
  await Deno.chmod(`${dir}/bin/logger`, 0o755);
  await Deno.chmod(`${dir}/bin/slow`, 0o755);
  const env = { PATH: `${dir}/bin:/usr/bin:/bin`, XDG_CACHE_HOME: `${dir}/.xdg` };
  return { dir, env };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose command line carries the slow binary's marker. */
function leftovers(): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmd.includes("987654.321")) found.push(Number(entry.name));
    } catch {
      // gone
    }
  }
  return found;
}

Deno.test({
  name: "compose starts no allowed binary: a binary that logs every call is never called",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { dir, env } = await setup(["logger"]);
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr);
      assert(!await exists(`${dir}/calls.log`), "compose ran the binary");
      const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(lock, /logger:\n\s+path: .*\n\s+sha256: "?[0-9a-f]{64}"?\n\s+version: null/);
      // Nor does lock refresh.
      assertEquals((await lily(["lock", "refresh", "flow.lock.yaml"], { cwd: dir, env })).code, 0);
      assert(!await exists(`${dir}/calls.log`), "lock refresh ran the binary");

      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      const after = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertEquals(/spec_hash: "(.*)"/.exec(after)![1], /spec_hash: "(.*)"/.exec(lock)![1]);
      if (hasTool("bwrap") && /bubblewrap/.test(sync.stdout)) {
        // Taken in the sandbox: the version is recorded, and the program could not write to
        // the project (it only sees an empty temporary directory).
        assertMatch(after, /version: "?logger 4\.2"?/);
        assertMatch(sync.stdout, /✓ version of logger: logger 4\.2/);
      } else {
        assertMatch(sync.stdout, /versions not taken: .*not started/);
      }
      assert(!await exists(`${dir}/calls.log`), "the version probe wrote outside its temp dir");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a slow binary neither crashes compose nor hangs sync: the version probe is killed",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { dir, env } = await setup(["slow"]);
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr);
      assertEquals(leftovers(), [], "compose started the slow binary");
      const sync = await lily(["sync", "flow.lock.yaml", "--version-timeout", "300ms"], {
        cwd: dir,
        env,
      });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      if (/bubblewrap/.test(sync.stdout)) {
        assertMatch(
          sync.stdout,
          /! version of slow: `slow --version` did not finish within 300 ms; it was killed with everything it started/,
        );
        assertMatch(await Deno.readTextFile(`${dir}/flow.lock.yaml`), /version: null/);
      }
      // Nothing it started (the script and its background child) outlives sync.
      assertEquals(leftovers(), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("sync refuses a --version-timeout that is not a duration", async () => {
  const { dir, env } = await setup(["logger"]);
  try {
    assertEquals(
      (await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir, env })).code,
      0,
    );
    const out = await lily(["sync", "flow.lock.yaml", "--version-timeout", "soon"], {
      cwd: dir,
      env,
    });
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /error\[LILY-E0721\]: `--version-timeout soon` is not a duration/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "sync takes the version of a program that answers only `-version` (ffmpeg's family)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { dir, env } = await setup(["onedash"]);
    try {
      await Deno.writeTextFile(
        `${dir}/bin/onedash`,
        `#!/bin/sh\n[ "$1" = -version ] || { echo "unknown option $1" >&2; exit 1; }\necho "onedash version 7.1"\n`,
      );
      await Deno.chmod(`${dir}/bin/onedash`, 0o755);
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr);
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      if (/bubblewrap/.test(sync.stdout)) {
        assertMatch(
          await Deno.readTextFile(`${dir}/flow.lock.yaml`),
          /version: "?onedash version 7\.1"?/,
        );
      } else {
        assertMatch(sync.stdout, /versions not taken: .*not started/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
