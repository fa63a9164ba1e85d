// A template value in the code of a known interpreter (awk program, sed script, `python3 -c`,
// `perl -e`, `node -e`, jq filter) is refused (LILY-E0637): shell escaping keeps it one word,
// but that word is code for the interpreter (awk's system(), sed's `e` flag, os.system).
// The attacks run through the real CLI; the safe forms the hint proposes run the payload as data.
import { assert, assertEquals } from "../_assert.ts";
import { LilyError, LilyErrors } from "../../src/errors.ts";
import { prepareTemplates, renderShellScript } from "../../src/template/mod.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";
import { context } from "./_ctx.ts";

const WHERE = { file: "flow.petal", line: 10, col: 12 };

async function codeOf(template: string): Promise<string | undefined> {
  await prepareTemplates([template]);
  try {
    renderShellScript(template, context({ params: { v: "x", n: 3 } }), WHERE, "lily");
    return undefined;
  } catch (error) {
    const first = error instanceof LilyErrors ? error.errors[0] : error;
    assert(first instanceof LilyError, String(first));
    return first.code;
  }
}

Deno.test("values in interpreters' code are E0637; values given as data are not", async () => {
  const refused = [
    `awk '{ print "{{ params.v }}" }' f`,
    `/usr/bin/gawk -F: -v a=1 '{ print "{{ params.v }}" }'`,
    `awk -- '{{ params.v }}'`,
    `gawk -e 'BEGIN { print "{{ params.v }}" }' -f lib.awk`,
    `sed 's/x/{{ params.v }}/e' f`,
    `sed -n -e 's/x/{{ params.v }}/p' f`,
    `sed -E --expression='s/a/{{ params.v }}/' f`,
    `sed -i.bak 's/a/{{ params.v }}/' f`,
    `python3 -c "print('{{ params.v }}')"`,
    `python -Bc "{{ params.v }}"`,
    `perl -ne 'print "{{ params.v }}"' f`,
    `ruby -e 'puts "{{ params.v }}"'`,
    `node --eval 'console.log("{{ params.v }}")'`,
    `node -p '"{{ params.v }}"'`,
    `jq -r '.{{ params.v }}' data.json`,
    `jq --arg a b '.[{{ params.v }}]'`,
    `command awk '{ print "{{ params.v }}" }'`,
  ];
  for (const t of refused) assertEquals(await codeOf(t), "LILY-E0637", t);
  const allowed = [
    `awk -v l="{{ params.v }}" '{ print l }' f`,
    `awk -f prog.awk "{{ params.v }}"`,
    `awk '{ print }' "{{ params.v }}"`,
    `sed 's/a/b/' "{{ params.v }}"`,
    `sed -f script.sed "{{ params.v }}"`,
    `python3 script.py "{{ params.v }}"`,
    `python3 -c 'import sys; print(sys.argv[1])' "{{ params.v }}"`,
    `perl -e 'print $ARGV[0]' "{{ params.v }}"`,
    `jq --arg a "{{ params.v }}" '$a' f`,
    `jq -n '$x' --arg x "{{ params.v }}"`,
    `echo "{{ params.v }}" | awk '{ print }'`,
  ];
  for (const t of allowed) assertEquals(await codeOf(t), undefined, t);
});

const PWN = "pwn.txt";

/** A one-step workflow running `run` (YAML single-quoted) with `bins`. */
function flow(run: string, bins: string[], inputs = ""): string {
  return `petal: "1"
name: inj
params:
  label: {type: str, default: x}
steps:
  - id: s
    uses: shell${inputs}
    with: {run: '${run.replaceAll("'", "''")}'}
    resources: {binaries: [${bins.join(", ")}]}
    outputs: {said: {type: str}}
`;
}

const ATTACKS: [string, string, string, string[]][] = [
  [
    "awk",
    `echo hi | awk '{ print "{{ params.label }}" }'`,
    `x"; system("id > ${PWN}"); print "`,
    ["awk"],
  ],
  ["sed (GNU `e` flag)", `echo x | sed 's/x/{{ params.label }}/e'`, `id > ${PWN}`, ["sed"]],
  [
    "python3 -c",
    `python3 -c "print('{{ params.label }}')"`,
    `'); import os; os.system('id > ${PWN}'); print('`,
    ["python3"],
  ],
];

for (const [name, run, payload, bins] of ATTACKS) {
  Deno.test({
    name: `attack: a value in ${name} code is refused at compose, nothing runs`,
    ignore: skipUnless(...bins),
    async fn() {
      const dir = await tempProject({ "flow.petal": flow(run, bins) });
      try {
        const env = { XDG_CACHE_HOME: `${dir}/.xdg` };
        for (const args of [["compose", "flow.petal"], ["run", "flow.petal"]]) {
          const out = await lily([...args, "-p", `label=${payload}`], { cwd: dir, env });
          assertEquals(out.code, 2, out.stderr);
          assert(out.stderr.includes("LILY-E0637"), out.stderr);
          assert(out.stderr.includes("flow.petal:8:"), out.stderr);
          assert(out.stderr.includes("LILY_INPUT_LABEL"), out.stderr);
        }
        let ran = true;
        await Deno.lstat(`${dir}/${PWN}`).catch(() => ran = false);
        assertEquals(ran, false, `${PWN} exists: the payload ran`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "the hinted forms (awk -v, sys.argv) take the payload as data",
  ignore: skipUnless("awk", "python3"),
  async fn() {
    const inputs = "\n    inputs: {label: {from: params.label}}";
    for (
      const [run, bins] of [
        [`awk -v label="$LILY_INPUT_LABEL" 'BEGIN { print "said=" label }' >> "$LILY_OUTPUT"`, [
          "awk",
        ]],
        [
          `python3 -c 'import sys; print("said=" + sys.argv[1])' "$LILY_INPUT_LABEL" >> "$LILY_OUTPUT"`,
          ["python3"],
        ],
      ] as [string, string[]][]
    ) {
      const payload = ATTACKS[2][2];
      const dir = await tempProject({ "flow.petal": flow(run, bins, inputs) });
      try {
        const out = await lily(["run", "flow.petal", "--json", "-p", `label=${payload}`], {
          cwd: dir,
          env: { XDG_CACHE_HOME: `${dir}/.xdg` },
        });
        assertEquals(out.code, 0, out.stderr);
        assertEquals(JSON.parse(out.stdout).steps.s.outputs.said.value, payload);
        let ran = true;
        await Deno.lstat(`${dir}/${PWN}`).catch(() => ran = false);
        assertEquals(ran, false);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  },
});
