// Human gates without a terminal, through the real `lily run` (stdin is /dev/null, stdout a
// pipe): a gate nobody answered fails at once with what to pass (it never waits); `--approve`
// and `--answers` answer it, type-checked before any step starts (the flag, or the file's
// line:col), unknown gate ids refused with a did-you-mean; a bool gate answered no fails its
// step (its dependants do not run) unless `on_false: continue`; the answer, how it was given and
// the OS user are in the events and the manifest; a gate is never cached.
import { userInfo } from "node:os";
import { assert, assertEquals } from "../_assert.ts";
import { latestEvents, latestManifest, project, run } from "./_run.ts";

const FLOW = `petal: "1"
name: release
params:
  token: { type: secret }
steps:
  - id: build
    uses: shell
    with: { run: 'echo "version=1.2.3" >> "$LILY_OUTPUT"; printf "banner=\\033[2J\\033]0;pwned\\007wiped\\n" >> "$LILY_OUTPUT"' }
    outputs: { version: { type: str }, banner: { type: str } }
  - id: approve
    uses: human
    needs: [build]
    cache: { policy: auto }
    inputs:
      version: { from: steps.build.outputs.version }
      banner: { from: steps.build.outputs.banner }
      token: { from: params.token }
    with: { prompt: "Publish 1.2.3?" }
  - id: target
    uses: human
    with:
      prompt: Where to?
      answer: { type: enum, choices: [staging, production] }
  - id: note
    uses: human
    with:
      prompt: Release note
      answer: { type: text, default: none }
  - id: publish
    uses: shell
    needs: [approve, target, note]
    if: steps.approve.outputs.answer
    inputs:
      where: { from: steps.target.outputs.answer }
      note: { from: steps.note.outputs.answer }
    with: { run: 'echo "published to $LILY_INPUT_WHERE: $LILY_INPUT_NOTE" > published.txt' }
`;

const SECRET = "s3cr3t-t0ken-value";
const env = (dir: string) => ({ XDG_CACHE_HOME: `${dir}/.xdg`, LILY_SECRET_TOKEN: SECRET });

async function lilyRun(dir: string, args: string[]) {
  const { lily } = await import("../_tools.ts");
  return await lily(["run", "flow.lock.yaml", ...args], { cwd: dir, env: env(dir) });
}

function runsIn(dir: string): string[] {
  try {
    return [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("human run: without a terminal every unanswered gate is listed before anything runs", async () => {
  const dir = await project({ ".lilyrc": "", "flow.petal": FLOW });
  try {
    const out = await lilyRun(dir, []);
    assertEquals(out.code, 2, out.stdout + out.stderr);
    const text = out.stdout + out.stderr;
    // One pass: all three gates, each with how to answer it; no run was made.
    for (const gate of ["approve", "target", "note"]) {
      assert(text.includes(`human gate \`${gate}\` needs an answer`), text);
    }
    assert(text.includes("`--approve approve` (yes)"), text);
    assert(text.includes("`--approve target=staging`"), text);
    assert(text.includes('`note: "…"`'), text);
    assertEquals(runsIn(dir), []);
    // The answered gates are not listed; `--only build` selects no gate at all.
    const some = await lilyRun(dir, ["--approve", "approve", "--approve", "target=staging"]);
    assertEquals(some.code, 2, some.stdout + some.stderr);
    assert(!(some.stdout + some.stderr).includes("gate `approve`"), some.stderr);
    assert((some.stdout + some.stderr).includes("gate `note` needs an answer"), some.stderr);
    assertEquals(runsIn(dir), []);
    const build = await lilyRun(dir, ["--only", "build"]);
    assertEquals(build.code, 0, build.stdout + build.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: without a terminal a gate under `if:` fails at once when reached, saying how to answer it", async () => {
  const flow = FLOW.replace(
    "    needs: [build]\n    cache: { policy: auto }",
    '    needs: [build]\n    if: steps.build.outputs.version == "1.2.3"\n    cache: { policy: auto }',
  );
  const dir = await project({ ".lilyrc": "", "flow.petal": flow });
  try {
    const out = await lilyRun(dir, [
      "--continue",
      "always",
      "--approve",
      "target=staging",
      "--approve",
      "note",
    ]);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.approve.status, "failed");
    assertEquals(m.steps.target.status, "succeeded");
    assertEquals(m.steps.publish.status, "skipped");
    const reason = m.steps.approve.error as string;
    assert(reason.includes("human gate `approve` needs an answer"), reason);
    assert(reason.includes("no terminal"), reason);
    assert(reason.includes("`--approve approve`"), reason);
    assert(reason.includes("`--answers FILE`"), reason);
    assert(out.stdout.includes("✗ approve"), out.stdout);
    // What the gate guards is in its log; the secret input is not shown.
    const log = await Deno.readTextFile(
      `${dir}/.lily/runs/${m.run_id}/logs/approve.1.log`,
    );
    assert(log.includes('version = "1.2.3"'), log);
    assert(log.includes("token   = (secret, not shown)"), log);
    assert(!log.includes(SECRET));
    // An upstream output cannot drive the terminal: control characters are shown escaped.
    assert(log.includes('banner  = "\\u001b[2J\\u001b]0;pwned\\u0007wiped"'), log);
    assert(![...log].some((c) => c < " " && c !== "\n"), "no raw control character");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: --approve answers each kind of gate; events and manifest say how and by whom; never cached", async () => {
  const dir = await project({ ".lilyrc": "", "flow.petal": FLOW });
  try {
    const args = ["--approve", "approve", "--approve", "target=production", "--approve", "note"];
    const out = await lilyRun(dir, args);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/published.txt`),
      "published to production: none\n",
    );
    const m = latestManifest(dir);
    const user = userInfo().username;
    assertEquals(m.steps.approve.outputs.answer, { type: "bool", value: true });
    assertEquals(m.steps.approve.human.via, "flag");
    assertEquals(m.steps.approve.human.by, user);
    assertEquals(m.steps.approve.human.source, "--approve approve");
    assertEquals(m.steps.target.human.answer, "production");
    assertEquals(m.steps.note.human.answer, "none"); // a bare flag takes the default
    assertEquals(m.steps.approve.cache.decision, "disabled");
    assert(m.steps.approve.cache.reason.includes("never cached, whatever `cache:` says"));
    const answered = latestEvents(dir).filter((e) => e.type === "human.answered");
    assertEquals(
      answered.map((e) => `${e.step}=${JSON.stringify(e.answer)} ${e.via} ${e.by}`).sort(),
      [
        `approve=true flag ${user}`,
        `note="none" flag ${user}`,
        `target="production" flag ${user}`,
      ],
    );
    // Again, with other answers: the gates ask again (no cache), and publish sees the new one.
    const again = await lilyRun(dir, [
      "--approve",
      "approve=yes",
      "--approve",
      "target=staging",
      "--approve",
      "note=second",
    ]);
    assertEquals(again.code, 0, again.stdout + again.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/published.txt`), "published to staging: second\n");
    const m2 = latestManifest(dir);
    assertEquals(m2.steps.approve.status, "succeeded");
    assertEquals(m2.steps.build.status, "cached");
    // No byte Lily wrote holds the secret (the gate's secret input was bound).
    for (const name of runsIn(dir)) {
      for (const file of ["events.jsonl", "manifest.json"]) {
        const text = await Deno.readTextFile(`${dir}/.lily/runs/${name}/${file}`);
        assert(!text.includes(SECRET), `${file} holds the secret`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: a bool gate answered no fails its step, and its dependants do not run", async () => {
  const dir = await project({ ".lilyrc": "", "flow.petal": FLOW });
  try {
    const out = await lilyRun(dir, [
      "--approve",
      "approve=no",
      "--approve",
      "target=staging",
      "--approve",
      "note=x",
    ]);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.approve.status, "failed");
    assert(m.steps.approve.error.includes("human gate `approve` was answered no"));
    assertEquals(m.steps.approve.human.answer, false);
    assertEquals(m.steps.publish.status === "succeeded", false);
    assertEquals(runsIn(dir).length, 1);
    let published = true;
    await Deno.stat(`${dir}/published.txt`).catch(() => published = false);
    assertEquals(published, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: on_false: continue succeeds with false, and if: on dependants reads it", async () => {
  const flow = `petal: "1"
name: branch
steps:
  - id: heavy
    uses: human
    with: { prompt: "Run the heavy tests?", answer: { type: bool, on_false: continue } }
  - id: tests
    uses: shell
    needs: [heavy]
    if: steps.heavy.outputs.answer
    with: { run: touch heavy.txt }
    resources: { binaries: [touch] }
  - id: quick
    uses: shell
    needs: [heavy]
    if: "!steps.heavy.outputs.answer"
    with: { run: touch quick.txt }
    resources: { binaries: [touch] }
`;
  const dir = await project({ ".lilyrc": "", "flow.petal": flow });
  try {
    const out = await run(dir, ["--approve", "heavy=false"]);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps.heavy.outputs.answer.value, false);
    assertEquals([m.steps.tests.status, m.steps.quick.status], ["skipped", "succeeded"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: --answers reads a YAML or JSON map; a flag wins over the file", async () => {
  const dir = await project({
    ".lilyrc": "",
    "flow.petal": FLOW,
    "answers.yaml": "# release answers\napprove: true\ntarget: staging\nnote: from the file\n",
    "answers.json": '{"approve": true, "target": "production", "note": "json"}',
  });
  try {
    const out = await lilyRun(dir, ["--answers", "answers.yaml", "--approve", "note=flag"]);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/published.txt`), "published to staging: flag\n");
    const m = latestManifest(dir);
    assertEquals(m.steps.target.human.via, "file");
    assertEquals(m.steps.target.human.source, "answers.yaml:3:9");
    assertEquals(m.steps.note.human.via, "flag");
    const json = await lilyRun(dir, ["--answers", "answers.json"]);
    assertEquals(json.code, 0, json.stdout + json.stderr);
    assertEquals(
      await Deno.readTextFile(`${dir}/published.txt`),
      "published to production: json\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: wrong answers and unknown gates are all refused before any step starts", async () => {
  const dir = await project({
    ".lilyrc": "",
    "flow.petal": FLOW,
    "answers.yaml": "approve: yes\ntarget: 3\naprove: true\n",
  });
  try {
    const out = await lilyRun(dir, [
      "--answers",
      "answers.yaml",
      "--approve",
      "target=qa",
      "--approve",
      "notes=x",
      "--approve",
      "target",
    ]);
    assertEquals(out.code, 2, out.stdout + out.stderr);
    const err = out.stderr;
    // The file's problems at their line and column.
    assert(
      /error\[LILY-E0985\]: answer for gate `approve`: a `bool` gate takes true or false/.test(err),
      err,
    );
    assert(err.includes("answers.yaml:1:10"), err);
    assert(err.includes("`yes` and `no` are strings"), err);
    assert(err.includes("answers.yaml:2:9"), err);
    assert(/error\[LILY-E0986\]: no human gate `aprove`/.test(err), err);
    assert(err.includes("answers.yaml:3:1"), err);
    assert(err.includes("did you mean `approve`?"), err);
    // The flags' problems, naming the flag.
    assert(err.includes("`qa` is not one of `staging` and `production`"), err);
    assert(err.includes("--approve target=qa (command line)"), err);
    assert(/no human gate `notes`[\s\S]*did you mean `note`\?/.test(err), err);
    assert(err.includes("a bare `--approve` answers only a `bool` gate"), err);
    assert(!err.includes("    at "), "no stack trace");
    assertEquals(runsIn(dir), [], "nothing ran");
    const missing = await lilyRun(dir, ["--answers", "nope.yaml"]);
    assertEquals(missing.code, 2);
    assert(missing.stderr.includes("cannot read the answers file `nope.yaml`: no such file"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human run: a gate's cache decision is off even when its lock step says auto", async () => {
  const { decideCache } = await import("../../src/run/cache_decision.ts");
  const step = {
    id: "gate",
    uses: "human",
    inputs: {},
    cache: { policy: "auto", pins: [] },
  };
  const d = decideCache(step as never, {}, {
    lock: { registry_pins: { binaries: {} } } as never,
    cache: { lookup: () => ({ hit: false }) },
    stepIndex: {},
    forced: new Set(),
  });
  assertEquals(d.decision, "disabled");
  assert("reason" in d && d.reason.includes("never cached"));
});

Deno.test("human run: a gate in an included fragment is answered by its prefixed id, its answer an include output", async () => {
  const flow = `petal: "1"
name: main
steps:
  - id: rel
    uses: include
    with: { petal: frag/gate.petal }
  - id: after
    uses: shell
    needs: [rel]
    if: steps.rel.outputs.ok
    with: { run: touch shipped.txt }
    resources: { binaries: [touch] }
`;
  const fragment = `petal: "1"
name: gatefrag
steps:
  - id: gate
    uses: human
    with: { prompt: "Ship it?" }
outputs:
  - ok: steps.gate.outputs.answer
`;
  const dir = await project({ ".lilyrc": "", "flow.petal": flow, "frag/gate.petal": fragment });
  try {
    const wrong = await run(dir, ["--approve", "gate"]);
    assertEquals(wrong.code, 2, wrong.stderr);
    assert(wrong.stderr.includes("its gates are `rel.gate`"), wrong.stderr);
    const out = await run(dir, ["--approve", "rel.gate"]);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    const m = latestManifest(dir);
    assertEquals(m.steps["rel.gate"].human.answer, true);
    assertEquals(m.steps.after.status, "succeeded");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
