// The security promise of Lily's shell, tested as attacks: a script starts only the programs its
// policy pins, built-ins read and write only inside their roots, never inside deny roots, and
// neither symlinks nor `..` lead outside. A denial ends the script, whatever the script says.
import { assert, assertEquals, assertMatch, assertThrows } from "../_assert.ts";
import {
  checkProgramEnv,
  checkRead,
  checkWrite,
  denialFrom,
  programPath,
} from "../../src/shell/policy.ts";
import { ShellDenied, type ShellPolicy } from "../../src/shell/types.ts";
import { isAlive, needBinaries, type Outcome, sh, withTempDir } from "./_run.ts";

/** A root directory for the script and a directory outside every root, both temporary. */
async function withOutside(fn: (root: string, outside: string) => Promise<void>): Promise<void> {
  await withTempDir((outside) => withTempDir((root) => fn(root, outside)));
}

function assertDenied(result: Outcome, kind: string, target?: string | RegExp): void {
  assert(
    result.denied !== undefined,
    `expected a ${kind} denial; status ${result.exitCode}, stdout ${
      JSON.stringify(result.stdout)
    }, stderr ${JSON.stringify(result.stderr)}`,
  );
  assertEquals(result.denied.kind, kind);
  assertEquals(result.exitCode, 126);
  if (typeof target === "string") assertEquals(result.denied.target, target);
  else if (target) assertMatch(result.denied.target, target);
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** A directory holding executable shell scripts named `names` that print FAKE. */
async function fakePrograms(dir: string, names: string[]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const name of names) {
    await Deno.writeTextFile(`${dir}/${name}`, "#!/bin/sh\necho FAKE\n", { mode: 0o755 });
  }
}

const onlyTr = () => needBinaries("tr");

// Programs -------------------------------------------------------------------------------

Deno.test("policy: a program not in the policy is refused, and what ran before stays", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("echo before; curl https://example.com; echo after", dir, {
      binaries: onlyTr(),
    });
    assertDenied(result, "run", "curl");
    assertEquals(result.stdout, "before\n");
    assertEquals(result.spawned, 0);
    assertMatch(result.denied!.message, /curl/);
    assertEquals(result.denied!.hint, "allow run curl");
  });
});

Deno.test("policy: a refused program inside a pipeline is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(
      await sh("echo secret | curl -d @- x", dir, { binaries: onlyTr() }),
      "run",
      "curl",
    );
    assertDenied(await sh("curl x | tr a b", dir, { binaries: onlyTr() }), "run", "curl");
  });
});

Deno.test("policy: a refused program inside `$(…)` and backticks is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("echo $(curl x)", dir, { binaries: onlyTr() }), "run", "curl");
    assertDenied(await sh("x=`wget y`", dir, { binaries: onlyTr() }), "run", "wget");
    assertDenied(await sh('echo "${U:-$(curl x)}"', dir, { binaries: onlyTr() }), "run", "curl");
  });
});

Deno.test("policy: a real program named by absolute path is refused unless pinned", async () => {
  await withTempDir(async (dir) => {
    const binaries = onlyTr();
    const sort = needBinaries("sort").sort;
    assertDenied(await sh(`${sort} /dev/null`, dir, { binaries }), "run", sort);
    assertDenied(await sh("/usr/bin/curl x", dir, { binaries }), "run", "/usr/bin/curl");
  });
});

Deno.test("policy: a pinned program also runs by its absolute path", async () => {
  await withTempDir(async (dir) => {
    const tr = onlyTr().tr;
    const result = await sh(`echo abc | ${tr} a-z A-Z`, dir, { binaries: onlyTr() });
    assertEquals([result.exitCode, result.stdout], [0, "ABC\n"]);
  });
});

Deno.test("policy: a symlink in the roots to an unpinned program is refused", async () => {
  await withTempDir(async (dir) => {
    await Deno.symlink(needBinaries("sort").sort, `${dir}/tr2`);
    assertDenied(await sh("./tr2 < /dev/null", dir, { binaries: onlyTr() }), "run", "./tr2");
  });
});

Deno.test("policy: a fake program in the roots with a pinned name is refused by path", async () => {
  await withTempDir(async (dir) => {
    await fakePrograms(`${dir}/bin`, ["tr"]);
    const result = await sh("./bin/tr a b", dir, { binaries: onlyTr() });
    assertDenied(result, "run", "./bin/tr");
    assertEquals(result.stdout, "");
  });
});

Deno.test("policy: setting PATH to a directory of fake programs does not allow them", async () => {
  await withTempDir(async (dir) => {
    await fakePrograms(`${dir}/bin`, ["curl"]);
    assertDenied(await sh("PATH=$PWD/bin; curl x", dir, { binaries: onlyTr() }), "run", "curl");
    assertDenied(await sh("PATH=$PWD/bin curl x", dir, { binaries: onlyTr() }), "run", "curl");
  });
});

Deno.test("policy: a pinned name runs its pinned path whatever PATH holds", async () => {
  await withTempDir(async (dir) => {
    await fakePrograms(`${dir}/bin`, ["tr"]);
    const result = await sh(
      "export PATH=$PWD/bin; echo abc | tr a-z A-Z; PATH=/nonexistent; echo def | tr a-z A-Z",
      dir,
      { binaries: onlyTr() },
    );
    assertEquals([result.exitCode, result.stdout], [0, "ABC\nDEF\n"]);
  });
});

Deno.test("policy: a command name from an expansion is checked when it runs", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("C=curl; $C x", dir, { binaries: onlyTr() }), "run", "curl");
    assertDenied(
      await sh("for c in wget; do $c; done", dir, { binaries: onlyTr() }),
      "run",
      "wget",
    );
  });
});

Deno.test("policy: names of Object.prototype members are refused, not looked up", async () => {
  await withTempDir(async (dir) => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      assertDenied(await sh(name, dir, { binaries: onlyTr() }), "run", name);
    }
  });
});

Deno.test("policy: a denial ends the script under `set +e`", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("set +e; curl x; echo after", dir, { binaries: onlyTr() });
    assertDenied(result, "run", "curl");
    assertEquals(result.stdout, "");
  });
});

Deno.test("policy: a denial ends the script even when the script handles failures", async () => {
  await withTempDir(async (dir) => {
    for (
      const script of [
        "curl x || true; echo after",
        "if curl x; then :; fi; echo after",
        "! curl x; echo after",
        "set +e; ( curl x ); echo after",
        "{ curl x; } 2>/dev/null || echo after",
        "x=$(curl x || true); echo after",
        "while curl x; do :; done; echo after",
      ]
    ) {
      const result = await sh(script, dir, { binaries: onlyTr() });
      assertDenied(result, "run", "curl");
      assertEquals(result.stdout, "", script);
    }
  });
});

Deno.test("policy: a denial in a pipeline leaves none of the pipeline's programs running", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("dash -c 'exec sleep 30' | curl x", dir, {
      binaries: needBinaries("dash"),
    });
    try {
      assertDenied(result, "run", "curl");
      assertEquals(result.pids.length, 1);
      assert(!isAlive(result.pids[0]), "the program started before the denial is still running");
    } finally {
      for (const pid of result.pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      // Let the interpreter reap it, so no operation outlives the test.
      for (let i = 0; i < 100 && result.pids.some(isAlive); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});

// Reads ----------------------------------------------------------------------------------

Deno.test("policy: `cat` of a file outside the read roots is refused", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("cat /etc/passwd", dir);
    assertDenied(result, "read", "/etc/passwd");
    assertEquals(result.stdout, "");
  });
});

Deno.test("policy: `<` from a file outside the read roots is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("tr a b < /etc/passwd", dir), "read", "/etc/passwd");
    assertDenied(await sh("read line < /etc/hostname || true", dir), "read", "/etc/hostname");
  });
});

Deno.test("policy: `test -f` and `[ -e ]` outside the read roots are refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("test -f /etc/passwd || true", dir), "read", "/etc/passwd");
    assertDenied(await sh("[ -e /nonexistent/x ] || true", dir), "read", "/nonexistent/x");
  });
});

Deno.test("policy: globbing a directory outside the read roots is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("echo /etc/*", dir), "read", "/etc");
    assertDenied(await sh("for f in /etc/pass?d; do :; done", dir), "read", "/etc");
  });
});

Deno.test("policy: a glob whose literal tail climbs out with `..` is refused", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    // Without a check the output says whether /etc/passwd exists.
    const result = await sh(`echo ${dir}/[s]ub/../../../../../../../etc/passwd`, dir);
    assertDenied(result, "read");
    assertEquals(result.stdout, "");
  });
});

Deno.test("policy: `..` cannot climb out of the read roots", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    assertDenied(
      await sh("cat ../../../../../../etc/passwd", `${dir}/sub`, {
        readRoots: [dir],
        writeRoots: [dir],
      }),
      "read",
      "/etc/passwd",
    );
    assertDenied(await sh(`cat ${dir}/sub/../../x`, dir), "read");
  });
});

Deno.test("policy: `cd` outside the read roots is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(await sh("cd /", dir), "read", "/");
    assertDenied(await sh("cd ..", dir), "read");
  });
});

Deno.test("policy: `cp` from outside the read roots is refused", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("cp /etc/passwd stolen", dir);
    assertDenied(result, "read", "/etc/passwd");
    assertEquals(await listing(dir), []);
  });
});

Deno.test("policy: a read-only root can be read but not written", async () => {
  await withOutside(async (root, ro) => {
    await Deno.writeTextFile(`${ro}/f`, "data\n");
    const options = { readRoots: [ro], writeRoots: [root] };
    assertEquals((await sh(`cat ${ro}/f`, root, options)).stdout, "data\n");
    assertDenied(await sh(`echo x > ${ro}/f`, root, options), "write", `${ro}/f`);
    assertEquals(await Deno.readTextFile(`${ro}/f`), "data\n");
  });
});

// Writes ---------------------------------------------------------------------------------

Deno.test("policy: `>` and `>>` outside the write roots are refused and create nothing", async () => {
  await withOutside(async (root, outside) => {
    assertDenied(await sh(`echo x > ${outside}/a`, root), "write", `${outside}/a`);
    assertDenied(await sh(`echo x >> ${outside}/b`, root), "write", `${outside}/b`);
    assertDenied(await sh(`echo x 2> ${outside}/c`, root), "write", `${outside}/c`);
    assertDenied(await sh(`echo x &> ${outside}/d`, root), "write", `${outside}/d`);
    assertEquals(await listing(outside), []);
  });
});

Deno.test("policy: `>` to /tmp outside the roots is refused", async () => {
  await withTempDir(async (dir) => {
    assertDenied(
      await sh("echo x > /tmp/lily_shell_outside", dir),
      "write",
      "/tmp/lily_shell_outside",
    );
  });
});

Deno.test("policy: mkdir, touch, cp and mv into a directory outside the write roots are refused", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${root}/f`, "x");
    for (
      const script of [
        `mkdir ${outside}/d`,
        `mkdir -p ${outside}/a/b`,
        `touch ${outside}/t`,
        `cp f ${outside}/c`,
        `cp f ${outside}`,
        `mv f ${outside}/m`,
      ]
    ) {
      assertDenied(await sh(script, root), "write");
    }
    assertEquals(await listing(outside), []);
    assertEquals(await listing(root), ["f"]);
  });
});

Deno.test("policy: rm and mv of a file outside the write roots are refused", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/keep`, "x");
    assertDenied(await sh(`rm ${outside}/keep`, root), "write", `${outside}/keep`);
    assertDenied(await sh(`rm -rf ${outside}`, root), "write", outside);
    assertDenied(
      await sh(`mv ${outside}/keep here`, root, { readRoots: [root, outside] }),
      "write",
    );
    assertEquals(await listing(outside), ["keep"]);
  });
});

Deno.test("policy: `..` cannot climb out of the write roots", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    assertDenied(
      await sh("echo x > ../../../../../tmp/lily_escape", `${dir}/sub`, {
        readRoots: [dir],
        writeRoots: [dir],
      }),
      "write",
      "/tmp/lily_escape",
    );
  });
});

Deno.test("policy: a file whose name starts with `..` inside the roots can be written", async () => {
  await withTempDir(async (dir) => {
    const result = await sh("touch ..data; echo x > ..log; cat ..log", dir);
    assertEquals(result.denied, undefined);
    assertEquals([result.exitCode, result.stdout], [0, "x\n"]);
  });
});

// Deny roots -----------------------------------------------------------------------------

Deno.test("policy: paths under a deny root are refused for reading, though inside the roots", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/.lily`);
    await Deno.writeTextFile(`${dir}/.lily/state`, "secret");
    const denyRoots = [`${dir}/.lily`];
    for (
      const script of [
        "cat .lily/state",
        "tr a b < .lily/state",
        "test -e .lily/state || true",
        "echo .lily/*",
        "cd .lily",
      ]
    ) {
      const result = await sh(script, dir, { denyRoots });
      assertDenied(result, "read");
      assertEquals(result.stdout, "", script);
    }
  });
});

Deno.test("policy: paths under a deny root are refused for writing, though inside the roots", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/.lily`);
    await Deno.writeTextFile(`${dir}/.lily/state`, "secret");
    const denyRoots = [`${dir}/.lily`];
    for (
      const script of [
        "echo x > .lily/state",
        "echo x >> .lily/new",
        "rm -r .lily",
        "touch .lily/t",
        "mkdir .lily/d",
        "mv .lily/state here",
        "cp .lily/state here",
      ]
    ) {
      const result = await sh(script, dir, { denyRoots });
      assert(result.denied !== undefined, script);
    }
    assertEquals(await listing(`${dir}/.lily`), ["state"]);
    assertEquals(await Deno.readTextFile(`${dir}/.lily/state`), "secret");
  });
});

Deno.test("policy: a symlink inside the roots into a deny root is refused", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/.lily`);
    await Deno.writeTextFile(`${dir}/.lily/state`, "secret");
    await Deno.symlink(`${dir}/.lily/state`, `${dir}/innocent`);
    const result = await sh("cat innocent", dir, { denyRoots: [`${dir}/.lily`] });
    assertDenied(result, "read");
    assertEquals(result.stdout, "");
  });
});

// Symlinks -------------------------------------------------------------------------------

Deno.test("policy: a symlink inside the roots to a file outside is refused for reading", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/secret`, "s3cret");
    await Deno.symlink(`${outside}/secret`, `${root}/link`);
    for (const script of ["cat link", "tr a b < link", "test -f link || true", "cp link copy"]) {
      const result = await sh(script, root);
      assertDenied(result, "read", new RegExp(`^${root}/link`));
      assertEquals(result.stdout, "", script);
    }
    assertEquals(await listing(root), ["link"]);
  });
});

Deno.test("policy: a symlink inside the roots to a file outside is refused for writing", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/target`, "original");
    await Deno.symlink(`${outside}/target`, `${root}/link`);
    for (
      const script of ["echo pwned > link", "echo pwned >> link", "touch link", "cp /dev/null link"]
    ) {
      assert((await sh(script, root, { readRoots: [root, "/dev"] })).denied !== undefined, script);
    }
    assertEquals(await Deno.readTextFile(`${outside}/target`), "original");
  });
});

Deno.test("policy: a symlinked directory leading outside is refused for reading and writing", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/f`, "x");
    await Deno.symlink(outside, `${root}/out`);
    assertDenied(await sh("echo out/*", root), "read");
    assertDenied(await sh("cat out/f", root), "read");
    assertDenied(await sh("cd out", root), "read");
    assertDenied(await sh("echo x > out/new", root), "write");
    assertDenied(await sh("mkdir out/d", root), "write");
    assertEquals(await listing(outside), ["f"]);
  });
});

Deno.test("policy: `cp -r` of a directory holding a symlink that leads outside is refused", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/secret`, "s3cret");
    await Deno.mkdir(`${root}/tree`);
    await Deno.symlink(`${outside}/secret`, `${root}/tree/link`);
    const result = await sh("cp -r tree copy || echo survived", root);
    assertDenied(result, "read");
    assertEquals(result.stdout, "");
    let copied = "";
    try {
      copied = await Deno.readTextFile(`${root}/copy/link`);
    } catch {
      // not copied
    }
    assertEquals(copied, "");
  });
});

Deno.test("policy: `>` through a dangling symlink that leads outside is refused", async () => {
  await withOutside(async (root, outside) => {
    await Deno.symlink(`${outside}/created`, `${root}/dangling`);
    const result = await sh("echo pwned > dangling", root);
    assertDenied(result, "write");
    assertEquals(await listing(outside), []);
  });
});

Deno.test("policy: `touch` and `cp` through a dangling symlink that leads outside are refused", async () => {
  await withOutside(async (root, outside) => {
    await Deno.writeTextFile(`${root}/src`, "pwned");
    await Deno.symlink(`${outside}/t`, `${root}/d1`);
    await Deno.symlink(`${outside}/c`, `${root}/d2`);
    assertDenied(await sh("touch d1", root), "write");
    assertDenied(await sh("cp src d2", root), "write");
    assertEquals(await listing(outside), []);
  });
});

// The policy's functions alone (src/shell/policy.ts), without a script --------------------

const pinned = (binaries: Record<string, string>, roots: Partial<ShellPolicy> = {}) => ({
  binaries,
  readRoots: [],
  writeRoots: [],
  allowHint: (kind: string, target: string) => `allow ${kind} ${target}`,
  ...roots,
});

Deno.test("policy: programPath gives a pinned name its path, and a path only when it is pinned", () => {
  const policy = pinned({ tr: "/usr/bin/tr" });
  assertEquals(programPath(policy, "tr", "/"), "/usr/bin/tr");
  assertEquals(programPath(policy, "/usr/bin/tr", "/"), "/usr/bin/tr");
  assertEquals(programPath(policy, "bin/tr", "/usr"), "/usr/bin/tr");
  for (const name of ["wc", "/usr/bin/wc", "toString", "constructor"]) {
    const denied = assertThrows(() => programPath(policy, name, "/"));
    assert(denied instanceof ShellDenied, name);
    assertEquals([denied.kind, denied.target, denied.hint], ["run", name, `allow run ${name}`]);
  }
});

Deno.test("policy: checkRead allows read and write roots, checkWrite only write roots, deny roots neither", async () => {
  await withOutside((root, outside) => {
    const policy = pinned({}, {
      readRoots: [outside],
      writeRoots: [root],
      denyRoots: [`${root}/.lily`],
    });
    checkRead(policy, `${outside}/f`);
    checkRead(policy, `${root}/f`);
    checkWrite(policy, `${root}/new/f`);
    for (
      const [check, path] of [
        [checkWrite, `${outside}/f`],
        [checkRead, `${root}/.lily/state`],
        [checkWrite, `${root}/.lily`],
        [checkRead, "/etc/passwd"],
      ] as const
    ) {
      assert(assertThrows(() => check(policy, path)) instanceof ShellDenied, path);
    }
    return Promise.resolve();
  });
});

Deno.test("policy: checkProgramEnv refuses a loader variable, and denialFrom names Deno's refusal", () => {
  const policy = pinned({});
  checkProgramEnv(policy, { PATH: "/bin", LANG: "C" });
  const loader = assertThrows(() => checkProgramEnv(policy, { LD_PRELOAD: "/x.so" }));
  assert(loader instanceof ShellDenied);
  assertEquals([loader.kind, loader.target], ["env", "LD_PRELOAD"]);
  const denial = denialFrom(new Error('Requires write access to "/etc/x", run again'), policy);
  assertEquals([denial.kind, denial.target, denial.hint], [
    "write",
    "/etc/x",
    "allow write /etc/x",
  ]);
});
