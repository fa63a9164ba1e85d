// A step's policy alone (src/sandbox/policy.ts): permissions from the lock's env_policy and
// the step's resources, one object per distinct resources, pinned programs by name.
import { assert, assertEquals } from "../_assert.ts";
import { permissionsFor, StepPolicies } from "../../src/sandbox/policy.ts";
import type { LockFile, LockStep } from "../../src/schema/lock.ts";

const lock = {
  env_policy: { read_roots: [".", "data"], write_roots: ["out"] },
  registry_pins: { binaries: { wc: { path: "/usr/bin/wc", sha256: "x" } } },
} as unknown as LockFile;

function step(network: boolean | string[], binaries: string[] = []): LockStep {
  return { resources: { network, binaries, env: ["LANG"] } } as unknown as LockStep;
}

Deno.test("permissions: roots under the project plus the scratch, never .lily, pinned programs", () => {
  const p = permissionsFor(lock, step(false, ["wc", "unpinned"]), "/p", "/tmp/s");
  assertEquals(p.read, ["/p", "/p/data", "/tmp/s"]);
  assertEquals(p.write, ["/p/out", "/tmp/s"]);
  assertEquals(p.deny, ["/p/.lily"]);
  assertEquals(p.run, ["/usr/bin/wc", "unpinned"]);
  assertEquals([p.net, p.env], [false, ["LANG"]]);
});

Deno.test("one policy object per distinct resources, numbered in order of first use", () => {
  const policies = new StepPolicies({
    lock,
    projectRoot: "/p",
    scratch: "/tmp/s",
    isolation: "none",
    getHostEnv: () => undefined,
  });
  const a = policies.of(step(false, ["wc"]));
  const b = policies.of(step(["example.org"]));
  assert(policies.of(step(false, ["wc"])) === a);
  assertEquals([a.id, b.id], ["p1", "p2"]);
  assertEquals(a.binaries, { wc: "/usr/bin/wc" });
  assertEquals(b.os.record.network, "only example.org");
  assertEquals(b.os.record.enforced, false);
});

Deno.test("a permissions override (the engine's test seam) is used for every policy", () => {
  const policies = new StepPolicies({
    lock,
    projectRoot: "/p",
    scratch: "/tmp/s",
    isolation: "none",
    getHostEnv: () => undefined,
    permissionsFor: () => ({ run: [], read: ["/x"], write: [], deny: [], net: false, env: [] }),
  });
  assertEquals(policies.of(step(false)).permissions.read, ["/x"]);
});
