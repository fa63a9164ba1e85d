// A template value can never become shell code: attacks through the real CLI (compose, then
// run) in every quoting context and in both Lily's shell and `with.shell: bash`. Each attack
// puts a victim file beside the project and a payload that would delete it; the victim must
// survive and the step must see the payload as text.
import { assert, assertEquals } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";

const HELLO = Deno.readTextFileSync(new URL("../../examples/hello/hello.petal", import.meta.url));

async function composeAndRun(
  files: Record<string, string>,
  params: string[],
): Promise<{ dir: string; compose: { code: number; stderr: string }; run?: { code: number } }> {
  const dir = await tempProject({ "victim.txt": "alive\n", ...files });
  const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
  const compose = await lily(
    ["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", ...params.flatMap((p) => ["-p", p])],
    { cwd: dir, env },
  );
  if (compose.code !== 0) return { dir, compose };
  const run = await lily(["run", "flow.lock.yaml"], { cwd: dir, env });
  return { dir, compose, run };
}

function victimAlive(dir: string): boolean {
  try {
    return Deno.readTextFileSync(`${dir}/victim.txt`) === "alive\n";
  } catch {
    return false;
  }
}

Deno.test("examples/hello: `who=$(rm victim.txt)` greets the text and deletes nothing", async () => {
  const payload = "$(rm victim.txt)";
  const { dir, compose, run } = await composeAndRun({ "flow.petal": HELLO }, [`who=${payload}`]);
  assertEquals(compose.code, 0, compose.stderr);
  assertEquals(run?.code, 0);
  assert(victimAlive(dir), "the payload ran: victim.txt is gone");
  const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
  const manifest = JSON.parse(
    Deno.readTextFileSync(`${dir}/.lily/runs/${runs.at(-1)}/manifest.json`),
  );
  assertEquals(manifest.steps.greet.outputs.greeting.value, `Hello, ${payload}!`);
});

// Payloads that would each leave a file behind (or delete the victim) if they ran as code.
const PAYLOADS = [
  "$(echo pwned > pwned0.txt)",
  "`echo pwned > pwned1.txt`",
  "'; echo pwned > pwned2.txt; '",
  '"; echo pwned > pwned3.txt; "',
  '\\"; echo pwned > pwned4.txt #',
  "x\necho pwned > pwned5.txt",
  "${IFS}$(echo pwned>pwned6.txt)",
  "'\"$(rm victim.txt)\"'",
  "a b  * ~ # % ! \\ é 😀",
  "",
  "-n",
];

/** `{{ params.pN }}` in each context: lines that write what the shell saw to `file`. */
const CONTEXTS: Record<
  string,
  { lines: (p: string, file: string) => string[]; want: (v: string) => string }
> = {
  unquoted: { lines: (p, f) => [`printf '%s' {{ params.${p} }} > ${f}`], want: (v) => v },
  double: { lines: (p, f) => [`printf '%s' "{{ params.${p} }}" > ${f}`], want: (v) => v },
  single: { lines: (p, f) => [`printf '%s' '{{ params.${p} }}' > ${f}`], want: (v) => v },
  joined: {
    lines: (p, f) => [`printf '%s' "$X{{ params.${p} }}"$X{{ params.${p} }} > ${f}`],
    want: (v) => `pre${v}pre${v}`,
  },
  heredoc: {
    lines: (p, f) => [`cat > ${f} <<EOF`, `{{ params.${p} }}`, "EOF"],
    want: (v) => `${v}\n`,
  },
  heredoc_quoted: {
    lines: (p, f) => [`cat > ${f} <<'EOF'`, `{{ params.${p} }}`, "EOF"],
    want: (v) => `${v}\n`,
  },
  // Inside a function body, and as a function's argument (`$1`): escaped just the same.
  function: {
    lines: (p, f) => [
      `w() { printf '%s' "{{ params.${p} }}" "$1" {{ params.${p} }} > ${f}; }`,
      `w {{ params.${p} }}`,
    ],
    want: (v) => v + v + v,
  },
};

/** Lily's shell, and `with.shell` programs (sh is dash on Debian). */
const SHELLS = ["lily", "bash", "sh"];

function attackPetal(): string {
  const params = PAYLOADS.map((p, i) => `  p${i}: {type: str, default: ${JSON.stringify(p)}}`);
  const steps: string[] = [];
  for (const shell of SHELLS) {
    for (const [context, { lines: write }] of Object.entries(CONTEXTS)) {
      const lines = ["X=pre", "mkdir -p seen"];
      PAYLOADS.forEach((_, i) =>
        lines.push(...write(`p${i}`, `seen/${shell}_${context}_${i}.txt`))
      );
      steps.push(
        `  - id: ${shell}_${context}`,
        "    uses: shell",
        ...(shell !== "lily" ? [`    resources: {binaries: [${shell}, cat, mkdir]}`] : []),
        "    with:",
        ...(shell !== "lily" ? [`      shell: ${shell}`] : []),
        `      run: ${JSON.stringify(lines.join("\n"))}`,
      );
    }
  }
  return ['petal: "1"', "name: attacks", "params:", ...params, "steps:", ...steps, ""].join(
    "\n",
  );
}

Deno.test({
  name:
    "attack set: every payload, every quoting context and here-documents, Lily's shell, bash and sh: text, not code",
  ignore: skipUnless("bash"),
  fn: async () => {
    const { dir, compose, run } = await composeAndRun({ "flow.petal": attackPetal() }, []);
    assertEquals(compose.code, 0, compose.stderr);
    assertEquals(run?.code, 0);
    assert(victimAlive(dir), "a payload deleted victim.txt");
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assertEquals(files.filter((f) => f.startsWith("pwned")), [], "a payload ran");
    for (const shell of SHELLS) {
      for (const context of Object.keys(CONTEXTS)) {
        PAYLOADS.forEach((payload, i) => {
          const seen = Deno.readTextFileSync(`${dir}/seen/${shell}_${context}_${i}.txt`);
          const want = CONTEXTS[context].want(payload);
          assertEquals(seen, want, `${shell} ${context} ${JSON.stringify(payload)}`);
        });
      }
    }
  },
});

Deno.test({
  name: "control: the same payload through `| shell_code` does run (the attack set is live)",
  ignore: skipUnless("bash"),
  fn: async () => {
    const petal = [
      'petal: "1"',
      "name: control",
      "params:",
      `  p: {type: str, default: ${JSON.stringify(PAYLOADS[0])}}`,
      "steps:",
      "  - id: lily",
      "    uses: shell",
      '    with: {run: "echo \\"{{ params.p | shell_code }}\\""}',
      "  - id: bash",
      "    uses: shell",
      "    resources: {binaries: [bash]}",
      "    with: {shell: bash, run: \"echo \\\"{{ params.p | replace('0', '1') | shell_code }}\\\"\"}",
      "",
    ].join("\n");
    const { dir, compose, run } = await composeAndRun({ "flow.petal": petal }, []);
    assertEquals(compose.code, 0, compose.stderr);
    assertEquals(run?.code, 0);
    assert(Deno.statSync(`${dir}/pwned0.txt`).isFile, "Lily's shell did not run the code");
    assert(Deno.statSync(`${dir}/pwned1.txt`).isFile, "bash did not run the code");
    const lock = Deno.readTextFileSync(`${dir}/flow.lock.yaml`);
    assert(lock.includes("shell_code:"), lock);
    assert(lock.includes("with.run: params.p | shell_code"), lock);
    const explain = await lily(["explain", "flow.lock.yaml"], { cwd: dir });
    assert(
      explain.stdout.includes("shell code from a template (not escaped): with.run: params.p"),
      explain.stdout,
    );
  },
});

async function composeError(petal: string, params: string[] = []) {
  const { compose } = await composeAndRun({ "flow.petal": petal }, params);
  return compose;
}

const ONE_STEP = (run: string, extra = "") =>
  [
    'petal: "1"',
    "name: t",
    "params:",
    "  p: {type: str, default: x}",
    "steps:",
    "  - id: s",
    "    uses: shell",
    extra,
    "    with:",
    `      run: ${run}`,
    "",
  ].filter(Boolean).join("\n");

Deno.test("compose: an attack in $(( )) is E0632 at the template's line and column", async () => {
  const out = await composeError(ONE_STEP("echo $((1 + {{ params.p }}))"), [
    "p=x[$(rm victim.txt)]",
  ]);
  assertEquals(out.code, 2, out.stderr);
  assert(out.stderr.includes("LILY-E0632"), out.stderr);
  assert(out.stderr.includes("flow.petal:9:24"), out.stderr);
  assert(out.stderr.includes("params.p"), out.stderr);
});

Deno.test("compose: `${{ params.p }}` (GitHub style) is E0634 with a hint", async () => {
  const out = await composeError(ONE_STEP('echo "${{ params.p }}"'));
  assertEquals(out.code, 2, out.stderr);
  assert(out.stderr.includes("LILY-E0634"), out.stderr);
  assert(out.stderr.includes("flow.petal:9:18"), out.stderr);
});

Deno.test("compose: positional parameters in Lily's shell are E0635", async () => {
  for (const [ref, col] of [["$1", 22], ["$@", 22], ["$#", 22], ["$*", 22]] as const) {
    const out = await composeError(ONE_STEP(`echo "a" "${ref}"`));
    assertEquals(out.code, 2, out.stderr);
    assert(out.stderr.includes("LILY-E0635"), out.stderr);
    assert(out.stderr.includes(`flow.petal:9:${col}`), out.stderr);
  }
  // `$?` and `$$` are special parameters a script does have.
  assertEquals((await composeError(ONE_STEP('echo "$? $$"'))).code, 0);
});

Deno.test("compose: a process step's `bash -c` script is escaped too", async () => {
  const petal = [
    'petal: "1"',
    "name: t",
    "params:",
    `  p: {type: str, default: ${JSON.stringify(PAYLOADS[0])}}`,
    "steps:",
    "  - id: s",
    "    uses: process",
    "    resources: {binaries: [bash]}",
    '    with: {argv: [bash, -c, "echo \\"{{ params.p }}\\" > seen.txt"]}',
    "",
  ].join("\n");
  const { dir, compose, run } = await composeAndRun({ "flow.petal": petal }, []);
  assertEquals(compose.code, 0, compose.stderr);
  assertEquals(run?.code, 0);
  assertEquals(Deno.readTextFileSync(`${dir}/seen.txt`), `${PAYLOADS[0]}\n`);
  assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("pwned")), []);
});

Deno.test("compose: a value that would end a here-document is refused by the taint check (E0630)", async () => {
  const petal = [
    'petal: "1"',
    "name: t",
    "params:",
    `  p: {type: str, default: ${JSON.stringify("x\nEOF\nrm victim.txt\ncat <<EOF")}}`,
    "steps:",
    "  - id: s",
    "    uses: shell",
    "    with:",
    "      run: |",
    "        cat > seen.txt <<'EOF'",
    "        {{ params.p }}",
    "        EOF",
    "",
  ].join("\n");
  const { dir, compose } = await composeAndRun({ "flow.petal": petal }, []);
  assertEquals(compose.code, 2, compose.stderr);
  assert(compose.stderr.includes("LILY-E0630"), compose.stderr);
  assert(compose.stderr.includes("flow.petal:11:9"), compose.stderr);
  assert(victimAlive(dir));
});

Deno.test("compose: a value inside `eval` or `sh -c` code is refused (E0636): escaping cannot help", async () => {
  for (
    const [run, extra] of [
      ['eval \\"echo {{ params.p }}\\"', "    resources: {binaries: [bash]}"],
      ['sh -c \\"echo {{ params.p }}\\"', "    resources: {binaries: [sh]}"],
    ]
  ) {
    const petal = ONE_STEP(`"${run}"`, extra).replace(
      "    with:\n",
      run.startsWith("eval") ? "    with:\n      shell: bash\n" : "    with:\n",
    );
    const out = await composeError(petal, [`p=${PAYLOADS[0]}`]);
    assertEquals(out.code, 2, out.stderr);
    assert(out.stderr.includes("LILY-E0636"), out.stderr);
  }
});
