// Least privilege, tested as attacks: real `lily run` processes against the default policy.
// Each attack must fail its step with a clear denial (code, what, the policy line that would
// allow it), leave nothing behind, and never crash the run.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { skipUnless } from "../_tools.ts";
import { filesUnder, latestEvents, latestManifest, project, run } from "../run/_run.ts";

/** A one-step flow; `extra` is more YAML for the step. */
function flow(script: string, extra = ""): string {
  return `petal: "1"
name: attack
steps:
  - id: attack
    uses: shell
    with:
      run: ${JSON.stringify(script)}
${extra}`;
}

async function attack(
  script: string,
  extra = "",
  files: Record<string, string> = {},
): Promise<{ dir: string; code: number; out: string; step: Record<string, unknown> }> {
  const dir = await project({ "flow.petal": flow(script, extra), ...files });
  const result = await run(dir);
  const m = latestManifest(dir);
  return { dir, code: result.code, out: result.stdout + result.stderr, step: m.steps.attack };
}

async function expectDenied(
  script: string,
  denied: { code: string; kind: string; target: RegExp },
  extra = "",
  files: Record<string, string> = {},
): Promise<string> {
  const { dir, code, out, step } = await attack(script, extra, files);
  try {
    assertEquals(code, 1, out);
    assertEquals(step.status, "failed");
    const d = step.denied as Record<string, string>;
    assert(d, `the manifest records the denial: ${JSON.stringify(step)}`);
    assertEquals([d.code, d.kind], [denied.code, denied.kind]);
    assertMatch(d.target, denied.target);
    assert(d.hint.length > 10, "a hint says how to allow it");
    assertMatch(out, new RegExp(denied.code));
    assert(!/at \w+ \(file:|Uncaught|panicked/.test(out), `no stack trace:\n${out}`);
    const events = latestEvents(dir);
    assert(events.some((e) => e.type === "step.denied" && e.step === "attack"));
    return dir;
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
}

async function denied(
  script: string,
  d: { code: string; kind: string; target: RegExp },
  extra = "",
  files: Record<string, string> = {},
): Promise<void> {
  const dir = await expectDenied(script, d, extra, files);
  await Deno.remove(dir, { recursive: true });
}

const RUN = { code: "LILY-E0820", kind: "run" };

Deno.test("a program outside the allowlist is refused at compose when its name is literal", async () => {
  const { tempProject, lily } = await import("../_tools.ts");
  const dir = await tempProject({ "flow.petal": flow("curl -s http://127.0.0.1:9/") });
  try {
    const out = await lily(["compose", "flow.petal", "-q"], { cwd: dir });
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /error\[LILY-E0617\]: step `attack` runs `curl`/);
    assertMatch(out.stderr, /flow\.petal:7:\d+/);
    assertMatch(out.stderr, /resources: \{binaries: \[curl\]\}/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a program named at run time outside the allowlist is denied", async () => {
  await denied('c=curl; "$c" -s http://127.0.0.1:9/', { ...RUN, target: /^curl$/ });
});

Deno.test("a denied program inside a pipeline, a substitution or an if is denied", async () => {
  await denied('c=wget; echo x | "$c" -q -O- http://127.0.0.1:9/', { ...RUN, target: /^wget$/ });
  await denied('c=id; echo "$($c)"', { ...RUN, target: /^id$/ });
  await denied('c=nc; if "$c" -z 127.0.0.1 9; then echo open; fi', { ...RUN, target: /^nc$/ });
});

Deno.test("a denial ends the step even under set +e and || true", async () => {
  const dir = await expectDenied(
    'set +e; c=touch2; "$c" x || true; echo survived > survived.txt',
    { ...RUN, target: /^touch2$/ },
  );
  try {
    assert(!filesUnder(dir).includes("survived.txt"), "nothing after the denial ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sh -c cannot smuggle a program when sh is not allowed", async () => {
  await denied('s=sh; "$s" -c "curl http://127.0.0.1:9/"', { ...RUN, target: /^sh$/ });
  // Written literally, it is refused before anything runs.
  const { tempProject, lily } = await import("../_tools.ts");
  const dir = await tempProject({ "flow.petal": flow('/bin/sh -c "id"') });
  try {
    const out = await lily(["compose", "flow.petal", "-q"], { cwd: dir });
    assertEquals(out.code, 2);
    assertMatch(out.stderr, /LILY-E0617\]: step `attack` runs `\/bin\/sh`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an absolute path to a program that is not allowed is denied (only pins run)", async () => {
  await denied(
    'p=/usr/bin/id; "$p"',
    { ...RUN, target: /\/usr\/bin\/id/ },
    "    resources: {binaries: [tr]}\n",
  );
});

Deno.test("a PATH trick cannot replace an allowed program: its pinned path runs", async () => {
  const dir = await project({
    "flow.petal": flow(
      'mkdir -p bin; printf "#!/bin/sh\\necho PWNED\\n" > bin/tr; PATH="$PWD/bin:$PATH"; export PATH; echo abc | tr a-z A-Z > out.txt',
      "    resources: {binaries: [tr]}\n",
    ),
  });
  try {
    const out = await run(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    assertEquals(Deno.readTextFileSync(`${dir}/out.txt`), "ABC\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a script the step wrote itself cannot be run", async () => {
  await denied(
    'printf "#!/bin/sh\\nid\\n" > evil.sh; p=./evil.sh; "$p"',
    { ...RUN, target: /evil\.sh/ },
  );
});

Deno.test("built-ins cannot read outside the read roots", async () => {
  const READ = { code: "LILY-E0821", kind: "read" };
  await denied("cat /etc/hostname", { ...READ, target: /^\/etc\/hostname$/ });
  await denied("cat < /etc/hostname", { ...READ, target: /^\/etc\/hostname$/ });
  await denied("cat ../../../../../../etc/hostname", { ...READ, target: /^\/etc\/hostname$/ });
  await denied("[ -f /etc/hostname ]", { ...READ, target: /^\/etc\/hostname$/ });
  await denied("echo /etc/*", { ...READ, target: /^\/etc$/ });
  await denied("cd /etc", { ...READ, target: /^\/etc$/ });
});

Deno.test("a symlink inside the project does not lead a built-in outside it", async () => {
  const dir = await project({ "flow.petal": flow("cat link") });
  try {
    Deno.symlinkSync("/etc/hostname", `${dir}/link`);
    const out = await run(dir);
    assertEquals(out.code, 1);
    const d = latestManifest(dir).steps.attack.denied;
    assertEquals([d.code, d.kind], ["LILY-E0821", "read"]);
    assertMatch(d.target, /link → \/etc\/hostname/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("built-ins cannot write outside the write roots", async () => {
  const WRITE = { code: "LILY-E0822", kind: "write" };
  const target = `/tmp/lily-attack-${crypto.randomUUID()}`;
  await denied(`echo pwned > ${target}`, { ...WRITE, target: new RegExp(target) });
  await denied(`mkdir ${target}`, { ...WRITE, target: new RegExp(target) });
  await denied(`touch ${target}`, { ...WRITE, target: new RegExp(target) });
  await denied(`cp flow.petal ${target}`, { ...WRITE, target: new RegExp(target) });
  await denied(`rm -rf ${target}`, { ...WRITE, target: new RegExp(target) });
  assert(!(await Deno.stat(target).then(() => true, () => false)), "nothing was written");
});

Deno.test("a step cannot read or write Lily's own state", async () => {
  await denied("cat .lily/cache/records.jsonl", {
    code: "LILY-E0821",
    kind: "read",
    target: /\.lily\/cache\/records\.jsonl$/,
  });
  await denied("echo forged >> .lily/cache/records.jsonl", {
    code: "LILY-E0822",
    kind: "write",
    target: /\.lily\/cache\/records\.jsonl$/,
  });
});

Deno.test({
  name: "Deno's permissions refuse what Lily's shell would have let through (defense in depth)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // LD_PRELOAD would let an allowed program load any code: Deno refuses to pass it.
    await denied(
      "echo x | tr x y",
      { code: "LILY-E0823", kind: "env", target: /^LD_PRELOAD$/ },
      "    env: {LD_PRELOAD: /tmp/evil.so}\n    resources: {binaries: [tr]}\n",
    );
  },
});

Deno.test("an output path leading outside the project fails the step", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: attack
steps:
  - id: escape
    uses: shell
    with: {run: 'echo "report=../../../../etc/hostname" >> "$LILY_OUTPUT"'}
    outputs: {report: {type: file}}
  - id: link
    uses: shell
    with: {run: 'echo "report=out/link" >> "$LILY_OUTPUT"'}
    outputs: {report: {type: file}}
  - id: state
    uses: shell
    with: {run: 'echo "report=.lily/cache/records.jsonl" >> "$LILY_OUTPUT"'}
    outputs: {report: {type: file}}
`,
  });
  try {
    Deno.mkdirSync(`${dir}/out`);
    Deno.symlinkSync("/etc/hostname", `${dir}/out/link`);
    const out = await run(dir, ["--continue", "always"]);
    assertEquals(out.code, 1);
    const m = latestManifest(dir);
    assertMatch(m.steps.escape.error, /is outside the project/);
    // Outputs are read without following links: any link is refused (not only one leaving).
    assertMatch(m.steps.link.error, /`out\/link` is a symbolic link/);
    assertMatch(m.steps.state.error, /inside Lily's own `\.lily\/`/);
    const blobs = filesUnder(`${dir}/.lily/cache/blobs`);
    assertEquals(blobs, [], "nothing outside the project was copied into the cache");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a step dumping its environment sees only what it declared, never a secret it was not given",
  ignore: skipUnless("env"),
  fn: async () => {
    const dir = await project({
      "flow.petal": `petal: "1"
name: attack
params:
  token: {type: secret}
steps:
  - id: dump
    uses: shell
    env: {DECLARED: yes}
    resources: {binaries: [env]}
    with: {run: "env > env.txt; printenv > printenv.txt"}
`,
    });
    try {
      const { lily } = await import("../_tools.ts");
      const out = await lily(["run", "flow.lock.yaml"], {
        cwd: dir,
        env: {
          XDG_CACHE_HOME: `${dir}/.xdg`,
          LILY_SECRET_TOKEN: "s3cr3t-value",
          AWS_SECRET_ACCESS_KEY: "host-secret",
        },
      });
      assertEquals(out.code, 0, out.stderr);
      for (const file of ["env.txt", "printenv.txt"]) {
        const text = Deno.readTextFileSync(`${dir}/${file}`);
        assertMatch(text, /^DECLARED=yes$/m);
        assert(!text.includes("s3cr3t-value"), `${file}: no secret`);
        assert(!text.includes("host-secret"), `${file}: no undeclared host variable`);
        assert(!/^LILY_SECRET_/m.test(text), `${file}: no LILY_SECRET_*`);
        const names = text.split("\n").filter(Boolean).map((l) => l.split("=")[0]).sort();
        for (const name of names) {
          assert(
            /^(LILY_|DECLARED$|PATH$|HOME$|LANG$|TZ$|TMPDIR$|PWD$)/.test(name),
            `${file}: unexpected variable ${name}`,
          );
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a secret used as a program name is masked in the denial, everywhere", async () => {
  const dir = await project({
    "flow.petal": `petal: "1"
name: attack
params:
  token: {type: secret}
steps:
  - id: attack
    uses: shell
    inputs: {token: {type: secret, from: params.token}}
    with: {run: '"$LILY_INPUT_TOKEN" --help'}
`,
  });
  try {
    const { lily } = await import("../_tools.ts");
    const secret = "Zq9-secret-as-command";
    const out = await lily(["run", "flow.lock.yaml"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg`, LILY_SECRET_TOKEN: secret },
    });
    assertEquals(out.code, 1);
    assertMatch(out.stdout + out.stderr, /LILY-E0820/);
    assert(!(out.stdout + out.stderr).includes(secret), "console masked");
    for (const file of filesUnder(`${dir}/.lily`)) {
      const text = Deno.readTextFileSync(`${dir}/.lily/${file}`);
      assert(!text.includes(secret), `${file} has no secret`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
