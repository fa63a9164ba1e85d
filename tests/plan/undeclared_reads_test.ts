// Undeclared reads (issue 9 §5): a step that reads another step's output file or a project
// file by a literal path without declaring it gets a positioned warning saying how to declare
// it; compose and run still succeed. Once declared, the warning is gone and a change to the
// file re-runs the step.
import { assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: reads
steps:
  - id: make
    uses: shell
    outputs: {report: {type: file, path: out/report.txt}}
    with: {run: "mkdir -p out; echo made > out/report.txt"}
  - id: use
    uses: shell
    needs: [make]
    resources: {binaries: [wc]}
    outputs: {n: {type: str}}
    with:
      run: |
        cat out/report.txt
        wc -c < data.csv >> "$LILY_OUTPUT.tmp"
        echo "n=$(cat ./data.csv)" >> "$LILY_OUTPUT"
`;

const DECLARED = FLOW.replace(
  "    needs: [make]\n",
  "    needs: [make]\n    inputs:\n      report: {from: steps.make.outputs.report}\n      data: {path: data.csv}\n",
);

const env = { PATH: "/usr/bin:/bin" };

Deno.test("compose and run warn, positioned, about files a step reads without declaring", async () => {
  const dir = await tempProject({ "flow.petal": FLOW, "data.csv": "a,b\n" });
  try {
    const out = await lily(["compose", "flow.petal"], { cwd: dir, env });
    assertEquals(out.code, 0, out.stderr);
    assertMatch(
      out.stderr,
      /warning\[LILY-E0321\]: step `use` reads `out\/report\.txt`, which step `make` writes \(output `report`\), without declaring it as an input\n\s+--> flow\.petal:15:13\n/,
    );
    assertMatch(
      out.stderr,
      /hint: declare it: `inputs: \{report: \{from: steps\.make\.outputs\.report\}\}`/,
    );
    assertMatch(
      out.stderr,
      /warning\[LILY-E0321\]: step `use` reads the project file `data\.csv` without declaring it as an input\n\s+--> flow\.petal:16:17\n/,
    );
    assertMatch(
      out.stderr,
      /warning\[LILY-E0321\]: step `use` reads the project file `\.\/data\.csv` without declaring it as an input\n\s+--> flow\.petal:17:23\n/,
    );
    assertMatch(out.stderr, /hint: declare it: `inputs: \{data_csv: \{path: data\.csv\}\}`/);
    const ran = await lily(["run", "flow.petal"], { cwd: dir, env });
    assertEquals(ran.code, 0, ran.stdout + ran.stderr);
    assertMatch(ran.stderr, /warning\[LILY-E0321\]: step `use` reads `out\/report\.txt`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("declared reads are not warned, and a change to a declared file re-runs the step", async () => {
  const dir = await tempProject({ "flow.petal": DECLARED, "data.csv": "one\n" });
  try {
    const out = await lily(["compose", "flow.petal"], { cwd: dir, env });
    assertEquals(out.code, 0, out.stderr);
    assertNotMatch(out.stderr, /LILY-E0321/);
    const first = await lily(["run", "locks/flow.petal.lock.yaml"], { cwd: dir, env });
    assertEquals(first.code, 0, first.stdout + first.stderr);
    await Deno.writeTextFile(`${dir}/data.csv`, "two\n");
    const second = await lily(["run", "locks/flow.petal.lock.yaml"], { cwd: dir, env });
    assertEquals(second.code, 0, second.stdout + second.stderr);
    const runs = [...Deno.readDirSync(`${dir}/.lily/runs`)].map((e) => e.name).sort();
    const manifest = JSON.parse(
      await Deno.readTextFile(`${dir}/.lily/runs/${runs[runs.length - 1]}/manifest.json`),
    );
    assertEquals(manifest.steps.use.outputs.n.value, "two");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reads outside the project, of a step's own output, or after cd are not warned", async () => {
  const flow = `petal: "1"
name: quiet
steps:
  - id: self
    uses: shell
    outputs: {own: {type: file, path: out/own.txt}}
    with:
      run: |
        mkdir -p out; echo x > out/own.txt
        cat out/own.txt
        cat /etc/hostname
        cd out
        cat ../data.csv
`;
  const dir = await tempProject({ "flow.petal": flow, "data.csv": "a\n" });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir, env });
    assertEquals(out.code, 0, out.stderr);
    assertNotMatch(out.stderr, /LILY-E0321/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a read inside a shell function's body is warned too", async () => {
  const flow = `petal: "1"
name: reads
steps:
  - id: use
    uses: shell
    with:
      run: |
        show() { cat data.csv; }
        show
`;
  const dir = await tempProject({ "flow.petal": flow, "data.csv": "a,b\n" });
  try {
    const out = await lily(["compose", "flow.petal"], { cwd: dir, env });
    assertEquals(out.code, 0, out.stderr);
    assertMatch(
      out.stderr,
      /warning\[LILY-E0321\]: step `use` reads the project file `data\.csv` without declaring it as an input\n\s+--> flow\.petal:8:22\n/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
