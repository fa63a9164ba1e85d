// A denial's hint matches what was refused: only a network refusal points at resources.network
// (a pyodide step's refused subprocess once got the network hint: new-user trial).
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { describeDenial } from "../../src/run/denial.ts";
import type { LockFile, LockStep } from "../../src/schema/lock.ts";

const step = { id: "p" } as LockStep;
const lock = {
  registry_pins: { binaries: {} },
  env_policy: { allowed_binaries: [], read_roots: ["."], write_roots: ["out"] },
} as unknown as LockFile;

Deno.test("an interpreter's refusal gets no network hint; a network refusal does", () => {
  const popen = describeDenial(step, {
    kind: "subprocess.Popen",
    target: "cat",
    message: "pyodide steps start no programs",
  }, lock);
  assertEquals(popen.code, "LILY-E0820");
  assert(!/resources\.network/.test(popen.hint), popen.hint);
  assertMatch(popen.message, /start no programs/);
  const net = describeDenial(step, {
    kind: "net",
    target: "example.org:443",
    message: "example.org is not listed",
  }, lock);
  assertEquals(net.code, "LILY-E0824");
  assertMatch(net.hint, /resources\.network/);
});
