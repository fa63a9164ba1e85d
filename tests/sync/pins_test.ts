// Pins: resolved at compose, checked by sync and run, refreshed without moving spec_hash.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: pinned
steps:
  - id: hello
    uses: process
    resources: {binaries: [mytool]}
    with: {argv: [mytool, hi]}
`;

async function setup() {
  const dir = await tempProject({
    "flow.petal": FLOW,
    "bin/mytool": '#!/bin/sh\necho "mytool v1 says $1"\n',
  });
  await Deno.chmod(`${dir}/bin/mytool`, 0o755);
  const env = { PATH: `${dir}/bin:/usr/bin:/bin`, XDG_CACHE_HOME: `${dir}/.xdg` };
  return { dir, env };
}

Deno.test({
  name: "binaries are pinned at compose; sync, run and lock refresh check and update the pins",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { dir, env } = await setup();
    try {
      const composed = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], {
        cwd: dir,
        env,
      });
      assertEquals(composed.code, 0, composed.stderr);
      const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      // Compose pins path and sha256 only: it starts no program, so there is no version yet.
      assertMatch(
        lock,
        /mytool:\n\s+path: "?.*bin\/mytool"?\n\s+sha256: "?[0-9a-f]{64}"?\n\s+version: null/,
      );
      const ready = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(ready.code, 0);
      // Sync says what the sandbox enforces here for the lock's network policy.
      assertMatch(ready.stdout, /network off: (enforced \(.+\)|NOT enforced for programs here)/);
      const ran = await lily(["run", "flow.lock.yaml"], {
        cwd: dir,
        env: { ...env, PATH: "/usr/bin:/bin" },
      });
      assertEquals(
        ran.code,
        0,
        `${ran.stdout}${ran.stderr}: the pinned path runs even when PATH does not have it`,
      );
      // The binary changes: sync and run refuse, refresh re-pins with the same spec_hash.
      await Deno.writeTextFile(`${dir}/bin/mytool`, '#!/bin/sh\necho "mytool v2 says $1"\n');
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(sync.code, 1);
      assertMatch(sync.stdout, /✗ binary mytool: .* changed/);
      const refused = await lily(["run", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(refused.code, 2);
      assertMatch(refused.stderr, /LILY-E1103.*`mytool`/);
      assertMatch(refused.stderr, /lily lock refresh/);
      const specBefore = /spec_hash: "(.*)"/.exec(lock)![1];
      assertEquals(
        /spec_hash: "(.*)"/.exec(await Deno.readTextFile(`${dir}/flow.lock.yaml`))![1],
        specBefore,
        "sync records versions without moving spec_hash",
      );
      const refresh = await lily(["lock", "refresh", "flow.lock.yaml"], { cwd: dir, env });
      assertEquals(refresh.code, 0, refresh.stderr);
      const after = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertEquals(/spec_hash: "(.*)"/.exec(after)![1], specBefore);
      assert(after !== lock);
      assertEquals((await lily(["run", "flow.lock.yaml"], { cwd: dir, env })).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a binary that is not installed is a compose error", async () => {
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "-"], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin" },
    });
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /LILY-E1101.*`mytool`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
