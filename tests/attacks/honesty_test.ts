// `lily sync` and the manifest say what each configuration holds, and mark with `!` what it
// does not (the fallback without bubblewrap has no file-system view: path unix sockets of
// host services stay reachable, and as root programs keep root's file access).
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { latestManifest } from "../run/_run.ts";
import { cleanup, CONFIGS, lilyIn, projectIn, runIn, skipConfig } from "./_configs.ts";

const FLOW = `petal: "1"
name: honest
steps:
  - id: a
    uses: shell
    with: {run: "echo hi"}
`;

for (const config of CONFIGS) {
  Deno.test({
    name: `honesty [${config.name}]: sync and the manifest say what holds and what does not`,
    ignore: skipConfig(config),
    async fn() {
      const dir = await projectIn(config, { "flow.petal": FLOW });
      try {
        const sync = await lilyIn(config, ["sync", "flow.lock.yaml"], { cwd: dir });
        assertEquals(sync.code, 0, sync.stderr);
        assertMatch(sync.stdout, /✓ processes: own PID namespace/);
        assertMatch(sync.stdout, /✓ terminal: new session, no controlling terminal/);
        assertMatch(sync.stdout, /✓ descriptors: stdin, stdout and stderr only/);
        assertMatch(sync.stdout, /✓ lily state: covered by empty directories/);
        const out = await runIn(config, dir);
        assertEquals(out.code, 0, out.stdout + out.stderr);
        const record = latestManifest(dir).steps.a.enforcement;
        if (config.sandbox === "bwrap") {
          assertMatch(sync.stdout, /✓ network off: enforced \(bubblewrap/);
          assertMatch(sync.stdout, /✓ programs: kept to the roots/);
          assertMatch(sync.stdout, /✓ unix sockets: only sockets inside the roots/);
          assertEquals(record.not_held, []);
          if (!config.unprivileged) {
            // uid 65534 inside is root outside: what programs write belongs to root.
            assertMatch(
              sync.stdout,
              /✓ identity: uid 65534 in its own user namespace \(mapped to root outside: files written to the roots belong to root\)/,
            );
          } else assertMatch(sync.stdout, /✓ identity: uid \d+ in its own user namespace, no/);
        } else {
          // The network line vouches for the network only; the roots are a `!` line of their own.
          assertMatch(sync.stdout, /✓ network off: enforced \([^\n]*\)\n/);
          assertNotMatch(sync.stdout, /✓ [^\n]*roots enforced for built-ins only/);
          assertMatch(
            sync.stdout,
            /! programs: not kept to the roots \(the fallback has no mount namespace view[^\n]*built-ins only/,
          );
          assert(record.not_held.includes("programs"), JSON.stringify(record));
          assertMatch(sync.stdout, /! unix sockets: path unix sockets of host services reachable/);
          assert(record.not_held.includes("unix_sockets"), JSON.stringify(record));
          if (!config.unprivileged) {
            assertMatch(sync.stdout, /! identity: .*root's file access/);
            assert(record.not_held.includes("identity"));
          }
        }
      } finally {
        await cleanup(dir);
      }
    },
  });
}
