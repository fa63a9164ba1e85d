/**
 * Secrets through side doors, through the real CLI: a secret's source variable as plain
 * `resources.env`, as `if: env.X`, through `template_env` into the lock; a `\u`-escaped
 * non-ASCII secret in a JSON output; a secret written into a file output, then rotated.
 */
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { latestManifest } from "../run/_run.ts";
import { allText, projectBeside, runIn } from "./_state.ts";

const PARAMS = `params:
  token: {type: secret, source: "env:API_TOKEN"}
`;

async function compose(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = await tempProject(files);
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], {
      cwd: dir,
      env: { API_TOKEN: "hunter2-secret", ...env },
    });
    let lock = "";
    try {
      lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    } catch {
      // not written
    }
    return { ...out, lock };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a secret's source variable cannot be handed to a step as plain resources.env", async () => {
  const out = await compose({
    "flow.petal": `petal: "1"
name: door
${PARAMS}steps:
  - id: a
    uses: shell
    resources:
      env: [HOME, API_TOKEN]
    with: {run: "echo hi"}
  - id: b
    uses: shell
    resources: {env: [LILY_SECRET_TOKEN]}
    with: {run: "echo hi"}
`,
  });
  assertEquals(out.code, 2, out.stderr);
  assertMatch(out.stderr, /LILY-E0730.*`API_TOKEN`.*secret `token`/);
  assertMatch(out.stderr, /flow\.petal:9:19/);
  assertMatch(out.stderr, /LILY-E0730.*`LILY_SECRET_TOKEN`/);
  assertEquals(out.lock, "");
});

Deno.test("`if: env.X` on a secret's source variable is refused (a one-bit oracle)", async () => {
  const out = await compose({
    "flow.petal": `petal: "1"
name: oracle
${PARAMS}steps:
  - id: a
    uses: shell
    if: env.API_TOKEN == "a"
    with: {run: "echo hi"}
`,
  });
  assertEquals(out.code, 2, out.stderr);
  assertMatch(out.stderr, /LILY-E0731.*`env\.API_TOKEN`.*secret `token`/);
  assertEquals(out.lock, "");
});

Deno.test("template_env cannot let a template write a secret's source into the lock", async () => {
  const out = await compose({
    ".lilyrc": "template_env: [API_TOKEN]\n",
    "flow.petal": `petal: "1"
name: tenv
${PARAMS}steps:
  - id: a
    uses: shell
    with: {run: "echo {{ 'API_TOKEN' | env }}"}
`,
  });
  assertEquals(out.code, 2, out.stderr);
  assertMatch(out.stderr, /LILY-E0732/);
  assertMatch(out.stderr, /\.lilyrc:1:/);
  assert(!out.lock.includes("hunter2-secret"), "the secret is not in the lock");
  assert(!out.stderr.includes("hunter2-secret"));
});

Deno.test({
  name:
    "a \\u-escaped non-ASCII secret in a JSON output never reaches records.jsonl or the manifest",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const secret = "pässwörd-ключ-42";
    const { base, dir } = await projectBeside({
      "flow.petal": `petal: "1"
name: uesc
params:
  token: {type: secret}
steps:
  - id: a
    uses: shell
    cache: {policy: auto}
    inputs: {token: {from: params.token}}
    resources: {binaries: [python3]}
    with:
      run: python3 -c 'import json,os; print(json.dumps({"j":{"t":os.environ["LILY_INPUT_TOKEN"]}}))' > "$LILY_OUTPUT"
    outputs: {j: {type: json}}
`,
    });
    try {
      const out = await runIn(dir, ["--events", "-"], { LILY_SECRET_TOKEN: secret });
      assertEquals(out.code, 0, out.stdout + out.stderr);
      const escaped = JSON.stringify(secret).replace(
        /[\u007f-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
      const state = allText(`${dir}/.lily`) + out.stdout + out.stderr;
      assert(!state.includes(secret), "the decoded secret is nowhere in Lily's state");
      assert(!state.includes(escaped.slice(1, -1)), "nor its \\u-escaped form");
      assertEquals(latestManifest(dir).steps.a.outputs.j.value, { t: "***" });
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

const FILE_SECRET = (cache: string) =>
  `petal: "1"
name: filesecret
params:
  token: {type: secret}
steps:
  - id: a
    uses: shell
${cache}    inputs: {token: {from: params.token}}
    with: {run: 'echo "key=$LILY_INPUT_TOKEN" > out/creds.txt'}
    outputs: {creds: {path: out/creds.txt}}
`;

Deno.test("a step that receives a secret is not cached by default: a rotated secret is never restored stale", async () => {
  const { base, dir } = await projectBeside({ "flow.petal": FILE_SECRET(""), "out/.keep": "" });
  try {
    const first = await runIn(dir, [], { LILY_SECRET_TOKEN: "old-secret-1111" });
    assertEquals(first.code, 0, first.stdout + first.stderr);
    assertEquals(latestManifest(dir).steps.a.cache.decision, "disabled");
    assertMatch(latestManifest(dir).steps.a.cache.reason, /receives a secret/);
    const second = await runIn(dir, [], { LILY_SECRET_TOKEN: "new-secret-2222" });
    assertEquals(second.code, 0, second.stdout + second.stderr);
    assertEquals(await Deno.readTextFile(`${dir}/out/creds.txt`), "key=new-secret-2222\n");
    assert(!allText(`${dir}/.lily`).includes("old-secret-1111"), "no raw secret in .lily/");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("even opted in, the cache never stores a file that holds a secret", async () => {
  const { base, dir } = await projectBeside({
    "flow.petal": FILE_SECRET("    cache: {policy: auto}\n"),
    "out/.keep": "",
  });
  try {
    const first = await runIn(dir, [], { LILY_SECRET_TOKEN: "old-secret-1111" });
    assertEquals(first.code, 0, first.stdout + first.stderr);
    assertMatch(first.stdout, /warning: a: output `creds` holds a secret.*not cached/);
    assert(!allText(`${dir}/.lily/cache`).includes("old-secret-1111"), "no blob holds it");
    const second = await runIn(dir, [], { LILY_SECRET_TOKEN: "new-secret-2222" });
    assertEquals(second.code, 0, second.stdout + second.stderr);
    assertEquals(latestManifest(dir).steps.a.status, "succeeded");
    assertEquals(await Deno.readTextFile(`${dir}/out/creds.txt`), "key=new-secret-2222\n");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
