// An attempt's directory is kept for its host's next attempt only when the attempt left it as
// it was made (src/sandbox/scratch.ts): these tests drive privateScratch on real directories
// with each thing a step could leave behind, and check the next attempt starts empty.
import { assert, assertEquals } from "../_assert.ts";
import { privateScratch } from "../../src/sandbox/scratch.ts";
import type { ExecSpec } from "../../src/sandbox/execute.ts";

function spec(scratch: string): ExecSpec {
  return {
    script: "true",
    cwd: "/",
    env: { LILY_OUTPUT: `${scratch}/io/s.1.out`, TMPDIR: `${scratch}/tmp` },
    binaries: {},
    readRoots: [scratch],
    writeRoots: [scratch],
    denyRoots: [],
    graceMs: 100,
    pid: 1,
  };
}

function entries(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** What a step may leave in its attempt directory, and whether the directory may be kept. */
const LEFTOVERS: { name: string; leave(dir: string): void; kept: boolean }[] = [
  { name: "nothing", leave: () => {}, kept: true },
  {
    name: "a file in tmp/",
    leave: (d) => Deno.writeTextFileSync(`${d}/tmp/left`, "x"),
    kept: false,
  },
  { name: "a hidden file", leave: (d) => Deno.writeTextFileSync(`${d}/tmp/.h`, "x"), kept: false },
  { name: "a directory in tmp/", leave: (d) => Deno.mkdirSync(`${d}/tmp/sub`), kept: false },
  {
    name: "a file beside tmp/",
    leave: (d) => Deno.writeTextFileSync(`${d}/other`, "x"),
    kept: false,
  },
  { name: "tmp/ opened to all", leave: (d) => Deno.chmodSync(`${d}/tmp`, 0o777), kept: false },
  { name: "its directory opened", leave: (d) => Deno.chmodSync(d, 0o755), kept: false },
  {
    name: "tmp/ replaced by a link",
    leave: (d) => {
      Deno.removeSync(`${d}/tmp`);
      Deno.mkdirSync(`${d}/elsewhere`, { mode: 0o700 });
      Deno.symlinkSync(`${d}/elsewhere`, `${d}/tmp`);
    },
    kept: false,
  },
  { name: "tmp/ removed", leave: (d) => Deno.removeSync(`${d}/tmp`), kept: false },
];

for (const leftover of LEFTOVERS) {
  Deno.test(`scratch: an attempt that left ${leftover.name} ${leftover.kept ? "passes its empty directory on" : "gets its directory removed"}`, async () => {
    const scratch = await Deno.makeTempDir({ prefix: "lily-scratch-test-" });
    try {
      Deno.mkdirSync(`${scratch}/io`);
      const part = await privateScratch(scratch, 1);
      const first = await part.attempt(1, spec(scratch));
      const dir = first.spec.env.TMPDIR.replace(/\/tmp$/, "");
      assertEquals(entries(dir), ["tmp"]);
      Deno.writeTextFileSync(first.spec.env.LILY_OUTPUT, "v=1\n");
      leftover.leave(dir);
      await first.finish(true);
      // The output always reaches the engine's path.
      assertEquals(Deno.readTextFileSync(`${scratch}/io/s.1.out`), "v=1\n");
      const second = await part.attempt(2, spec(scratch));
      const next = second.spec.env.TMPDIR.replace(/\/tmp$/, "");
      assertEquals(next === dir, leftover.kept, `${dir} → ${next}`);
      if (!leftover.kept) {
        let gone = false;
        try {
          Deno.lstatSync(dir);
        } catch {
          gone = true;
        }
        assert(gone, `${dir} was not removed`);
      }
      // Whatever came before, the next attempt starts with an empty, private tmp/.
      assertEquals(entries(next), ["tmp"]);
      assertEquals(entries(`${next}/tmp`), []);
      assertEquals(Deno.lstatSync(`${next}/tmp`).mode! & 0o777, 0o700);
      assertEquals(Deno.lstatSync(next).mode! & 0o777, 0o700);
      assert(Deno.lstatSync(`${next}/tmp`).isDirectory);
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  });
}

Deno.test("scratch: without a PID namespace (finish(false)) an empty directory is removed all the same", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "lily-scratch-test-" });
  try {
    const part = await privateScratch(scratch, 1);
    const first = await part.attempt(1, spec(scratch));
    const dir = first.spec.env.TMPDIR.replace(/\/tmp$/, "");
    await first.finish(false);
    let gone = false;
    try {
      Deno.lstatSync(dir);
    } catch {
      gone = true;
    }
    assert(gone, `${dir} was kept`);
    const second = await part.attempt(2, spec(scratch));
    assert(second.spec.env.TMPDIR !== first.spec.env.TMPDIR);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
