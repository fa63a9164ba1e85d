// A `-p` value arrives byte-exact: CR, CRLF, a lone CR, tabs and non-ASCII survive the command
// line, the lock (written and read back), and every way a step can receive it.
import { assert, assertEquals } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";

const VALUE = "a\r\nb\rc\n\td é\r\n";

const FLOW = `petal: "1"
name: bytes
params:
  x: {type: str, default: ""}
steps:
  - id: lily_shell
    uses: shell
    inputs: {v: {from: params.x}}
    env: {V: "{{ params.x }}"}
    with:
      run: |
        printf '%s' "$LILY_INPUT_V" > out/input.bin
        printf '%s' "$V" > out/env.bin
        printf '%s' {{ params.x | shq }} > out/template.bin
    outputs:
      i: {type: file, path: out/input.bin}
      e: {type: file, path: out/env.bin}
      t: {type: file, path: out/template.bin}
  - id: sh_shell
    uses: shell
    env: {V: "{{ params.x }}"}
    resources: {binaries: [sh, printf]}
    with:
      shell: sh
      run: printf '%s' "$V" > out/sh.bin
    outputs:
      s: {type: file, path: out/sh.bin}
`;

Deno.test("a -p value with CRLF reaches the step unchanged, through the lock", {
  ignore: skipUnless("sh", "printf"),
}, async () => {
  const dir = await tempProject({ "flow.petal": FLOW, "out/.keep": "" });
  try {
    const composed = await lily(
      ["compose", "flow.petal", "-o", "flow.lock.yaml", "-p", `x=${VALUE}`],
      { cwd: dir },
    );
    assertEquals(composed.code, 0, composed.stderr);
    // The lock holds the value escaped, so no editor or checkout can change its line ends.
    const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    assert(lock.includes(JSON.stringify(VALUE)), lock);
    const ran = await lily(["run", "flow.lock.yaml"], {
      cwd: dir,
      env: { XDG_CACHE_HOME: `${dir}/.xdg` },
    });
    assertEquals(ran.code, 0, ran.stderr);
    for (const name of ["input", "env", "template", "sh"]) {
      const bytes = await Deno.readFile(`${dir}/out/${name}.bin`);
      assertEquals(
        JSON.stringify(new TextDecoder().decode(bytes)),
        JSON.stringify(VALUE),
        `${name}.bin`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a CRLF value and its LF twin are different locks and different cache keys", async () => {
  const dir = await tempProject({ "flow.petal": FLOW });
  try {
    const crlf = await lily(["compose", "flow.petal", "-o", "-", "-p", "x=a\r\nb"], { cwd: dir });
    const lf = await lily(["compose", "flow.petal", "-o", "-", "-p", "x=a\nb"], { cwd: dir });
    assertEquals(crlf.code, 0, crlf.stderr);
    assertEquals(lf.code, 0, lf.stderr);
    const hash = (text: string) => /^spec_hash: (.*)$/m.exec(text)?.[1];
    assert(hash(crlf.stdout) && hash(crlf.stdout) !== hash(lf.stdout));
    const keys = (text: string) => [...text.matchAll(/static: (.*)/g)].map((m) => m[1]);
    assertEquals(keys(crlf.stdout).length, 2);
    assert(keys(crlf.stdout).every((k, i) => k !== keys(lf.stdout)[i]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
