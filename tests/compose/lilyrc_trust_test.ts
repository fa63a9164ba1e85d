// A `.lilyrc` is policy: it is taken only from a directory the user controls (issue 10,
// "Configuration"). A `.lilyrc` planted in a parent that someone else owns, or that everyone
// can write (like /tmp), is ignored with a warning, and the lock says where its policy came
// from — relatively, so it stays the same on every machine.
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily } from "../_tools.ts";

const FLOW = `petal: "1"
name: trust
steps:
  - id: hello
    uses: shell
    with: {run: echo hi}
`;
// What an attacker would like a victim's project to get.
const EVIL_RC = "network_default: true\nallowed_binaries: [sh]\nwrite_roots: [/]\n";
const isRoot = Deno.uid() === 0;

/** `base/parent/.lilyrc` (hostile) and `base/parent/proj/flow.petal` (the user's project). */
async function layout(): Promise<{ base: string; parent: string; proj: string }> {
  const base = await Deno.makeTempDir({ prefix: "lily-test-trust-" });
  const parent = `${base}/parent`;
  const proj = `${parent}/proj`;
  await Deno.mkdir(proj, { recursive: true });
  await Deno.writeTextFile(`${parent}/.lilyrc`, EVIL_RC);
  await Deno.writeTextFile(`${proj}/flow.petal`, FLOW);
  return { base, parent, proj };
}

function policyOf(lock: string) {
  return {
    network: /network_default: (\w+)/.exec(lock)?.[1],
    binaries: /allowed_binaries: (\[\]|\n(\s+- .*\n)+)/.exec(lock)?.[1],
    policy: /^ {2}policy: "?([^"\n]*)"?$/m.exec(lock)?.[1],
  };
}

Deno.test({
  name: "a .lilyrc in a parent owned by another user is ignored, with a warning",
  ignore: !isRoot || Deno.build.os === "windows",
  fn: async () => {
    const { base, parent, proj } = await layout();
    try {
      // Another user (nobody, 65534) owns the parent and its .lilyrc; the project is ours.
      await Deno.chown(parent, 65534, 65534);
      await Deno.chown(`${parent}/.lilyrc`, 65534, 65534);
      const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: proj });
      assertEquals(out.code, 0, out.stderr);
      assertMatch(
        out.stderr,
        /warning\[LILY-E0320\]: ignored `.*\/parent\/\.lilyrc`: `.*\/parent` is owned by uid 65534, not by you \(uid 0\) or root/,
      );
      const got = policyOf(out.stdout);
      assertEquals(got.network, "false");
      assertEquals(got.binaries, "[]");
      assertEquals(got.policy, "defaults");
      assertMatch(out.stdout, /project_root: "?\.\."?\n/, "the project is the workflow's folder");
      // Run, too, ignores it (and says so).
      const ran = await lily(["run", "flow.petal"], { cwd: proj });
      assertEquals(ran.code, 0, ran.stderr);
      assertMatch(ran.stderr, /warning\[LILY-E0320\]/);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "a .lilyrc in a world-writable parent (a /tmp-like sticky directory) is ignored",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { base, parent, proj } = await layout();
    try {
      await Deno.chmod(parent, 0o1777);
      const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: proj });
      assertEquals(out.code, 0, out.stderr);
      assertMatch(out.stderr, /warning\[LILY-E0320\]: .* is writable by every user/);
      assertEquals(policyOf(out.stdout).network, "false");
      assertEquals(policyOf(out.stdout).policy, "defaults");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "a .lilyrc that is itself writable by everyone is ignored",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { base, parent, proj } = await layout();
    try {
      await Deno.rename(`${parent}/.lilyrc`, `${proj}/.lilyrc`);
      await Deno.chmod(`${proj}/.lilyrc`, 0o666);
      const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: proj });
      assertEquals(out.code, 0, out.stderr);
      assertMatch(
        out.stderr,
        /warning\[LILY-E0320\]: ignored `\.lilyrc`: .* is writable by every user/,
      );
      assertEquals(policyOf(out.stdout).network, "false");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "the user's own .lilyrc is the policy, and the lock says so with a relative source",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { base, parent } = await layout();
    const elsewhere = await Deno.makeTempDir({ prefix: "lily-test-trust-copy-" });
    try {
      // Our own parent directory, our own .lilyrc: trusted, and the project root.
      await Deno.writeTextFile(`${parent}/.lilyrc`, "network_default: true\n");
      const out = await lily(["compose", "proj/flow.petal", "-o", "flow.lock.yaml"], {
        cwd: parent,
      });
      assertEquals(out.code, 0, out.stderr);
      assertNotMatch(out.stderr, /LILY-E0320/);
      const lock = await Deno.readTextFile(`${parent}/flow.lock.yaml`);
      assertEquals(policyOf(lock).network, "true");
      assertEquals(policyOf(lock).policy, ".lilyrc");
      assertMatch(lock, /- path: "?\.lilyrc"?\n\s+role: lilyrc/);
      assert(!lock.includes(base), "no absolute path in the lock");
      // The same project elsewhere gives the same bytes.
      const cp = await new Deno.Command("cp", { args: ["-a", `${parent}/.`, elsewhere] }).output();
      assert(cp.success);
      const again = await lily(["compose", "proj/flow.petal", "-o", "flow.lock.yaml"], {
        cwd: elsewhere,
      });
      assertEquals(again.code, 0, again.stderr);
      assertEquals(await Deno.readTextFile(`${elsewhere}/flow.lock.yaml`), lock);
    } finally {
      await Deno.remove(base, { recursive: true });
      await Deno.remove(elsewhere, { recursive: true });
    }
  },
});
