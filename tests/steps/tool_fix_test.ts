// Regressions found by a new-user trial of `uses: tool`, through the real CLI and the real
// ffmpeg: `run --locked` and unchecked versions, sync reporting every tool error of a pass,
// two steps writing one file, tool `dir` outputs, and the errors compose gives for mistakes.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";
import { project, run } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipUnless("ffmpeg");

/** Two ffmpeg tools, each with a version constraint (`version` for both). */
function twoTools(version: string): string {
  return `tools:
  clip:
    binary: ffmpeg
    version: { constraint: ${version}, args: [-version] }
    args:
      out: { type: file, role: output, required: true }
    argv: [-hide_banner, -loglevel, error, -y, -f, lavfi, -i, "testsrc=duration=1:size=64x64:rate=5", "{out}"]
  copy:
    binary: ffmpeg
    version: { constraint: ${version}, args: [-version] }
    args:
      input: { type: file, role: input, required: true }
      output: { type: file, role: output, required: true }
    argv: [-hide_banner, -loglevel, error, -y, -i, "{input}", -c, copy, "{output}"]
`;
}

const TWO_STEPS = `petal: "1"
name: tools
steps:
  - id: gen
    uses: tool
    with: { tool: clip, args: { out: work/clip.mp4 } }
  - id: cp
    uses: tool
    needs: [gen]
    with: { tool: copy, args: { input: { from: steps.gen.outputs.out }, output: work/copy.mp4 } }
`;

Deno.test({
  name: "tool fix: run --locked refuses a constrained tool whose version sync never checked",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      // Composed, never synced: the lock records no version, so --locked cannot vouch for it.
      let out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(
        out.stderr,
        /error\[LILY-E0955\]: --locked: 2 tools with a version constraint have no checked version in the lock/,
      );
      assertMatch(out.stderr, /tool clip \(process\): its version was never checked against `>=4`/);
      assertMatch(out.stderr, /hint: run `lily sync LOCK`/);
      assert(!out.stdout.includes("succeeded"), out.stdout);
      // After sync has checked it, the locked run starts.
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      out = await run(dir, ["--locked"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: sync reports every tool outside its constraint in one pass",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": twoTools('">=99"'),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 2, sync.stdout + sync.stderr);
      assertMatch(sync.stderr, /error\[LILY-E0953\]: tool `clip` is version/);
      assertMatch(sync.stderr, /error\[LILY-E0953\]: tool `copy` is version/);
      // Nothing recorded: a locked run still refuses both.
      const out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(out.stderr, /LILY-E0955/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: two tool steps writing one file are refused at compose, naming both",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": `petal: "1"
name: tools
steps:
  - id: a
    uses: tool
    with: { tool: clip, args: { out: work/clip.mp4 } }
  - id: b
    uses: tool
    with: { tool: clip, args: { out: ./work/clip.mp4 } }
`,
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(
        out.stderr,
        /error\[LILY-E0957\]: step `b` \(output `out`\) writes `\.\/work\/clip\.mp4`, which step `a` \(output `out`\) writes too\n {2}--> flow\.petal:9:38\n/,
      );
      assertMatch(out.stderr, /= note: `a` writes it here\n {2}--> flow\.petal:6:38\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("output paths: any two steps declaring one output path are refused (every pair)", async () => {
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: outs
steps:
  - id: a
    uses: shell
    with: { run: echo a > out/x.txt }
    outputs: { x: { type: file, path: out/x.txt } }
  - id: b
    uses: shell
    with: { run: echo b > out/x.txt }
    outputs:
      y: { type: file, path: out/x.txt }
      z: { type: file, path: out/z.txt }
      w: { type: file, path: out/z.txt }
`,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    assertMatch(
      out.stderr,
      /error\[LILY-E0957\]: step `b` \(output `y`\) writes `out\/x\.txt`, which step `a` \(output `x`\) writes too\n {2}--> flow\.petal:12:\d+/,
    );
    assertMatch(
      out.stderr,
      /error\[LILY-E0957\]: step `b` \(output `w`\) writes `out\/z\.txt`, which its output `z` writes too/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "tool fix: a `dir` output argument's folder is created before the tool writes into it",
  ignore,
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": `tools:
  frames:
    binary: ffmpeg
    args:
      to: { type: dir, role: output, required: true }
      still: { type: file, role: output, required: true }
    argv: [-hide_banner, -loglevel, error, -y, -f, lavfi, -i, "testsrc=duration=1:size=32x32:rate=3", "{to}/f%03d.png", -frames:v, "1", "{still}"]
`,
      // Neither out/ nor stills/ exist: ffmpeg cannot create them, Lily does.
      "flow.petal": `petal: "1"
name: frames
steps:
  - id: split
    uses: tool
    with: { tool: frames, args: { to: out/frames, still: stills/one.png } }
`,
    });
    try {
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const names = [...Deno.readDirSync(`${dir}/out/frames`)].map((e) => e.name).sort();
      assertEquals(names, ["f001.png", "f002.png", "f003.png"]);
      assert(Deno.statSync(`${dir}/stills/one.png`).size > 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** A tool step `gen` writing work/clip.mp4, read by a shell step and a tool step. */
function consumers(genArgs: string): string {
  return `petal: "1"
name: tools
steps:
  - id: gen
    uses: tool
    with: { tool: clip, args: ${genArgs} }
  - id: look
    uses: shell
    needs: [gen]
    inputs: { clip: { type: file, from: steps.gen.outputs.out } }
    with: { run: "true" }
  - id: cp
    uses: tool
    needs: [gen]
    with: { tool: copy, args: { input: { from: steps.gen.outputs.out }, output: work/copy.mp4 } }
`;
}

Deno.test({
  name: "tool fix: a tool step that cannot be resolved causes no false E0608/E0956 downstream",
  ignore,
  fn: async () => {
    // 1. An error in adapters/process.yaml: that error alone.
    let dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"').replace("  copy:\n", "  copy:\n    bogus: 1\n"),
      "flow.petal": consumers("{ out: work/clip.mp4 }"),
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /LILY-E0949/);
      assert(!out.stderr.includes("E0608"), out.stderr);
      assert(!out.stderr.includes("E0956"), out.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    // 2. An unknown tool and an unknown argument in the producer: their errors alone.
    for (const [args, code] of [["{ out: work/clip.mp4, bogus: 1 }", "E0943"]] as const) {
      dir = await tempProject({
        "adapters/process.yaml": twoTools('">=4"'),
        "flow.petal": consumers(args),
      });
      try {
        const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
        assertEquals(out.code, 2, out.stderr);
        assertMatch(out.stderr, new RegExp(`LILY-${code}`));
        assert(!out.stderr.includes("E0608"), out.stderr);
        assert(!out.stderr.includes("E0956"), out.stderr);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
    dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": consumers("{ out: work/clip.mp4 }").replace("tool: clip", "tool: clipp"),
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /LILY-E0941[^\n]*\n(.*\n)*.*did you mean `clip`/);
      assert(!out.stderr.includes("E0608"), out.stderr);
      assert(!out.stderr.includes("E0956"), out.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: E0608 on a tool's optional output argument says to give the argument",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"').replace(
        "out: { type: file, role: output, required: true }",
        "out: { type: file, role: output }",
      ).replace('"{out}"', '{ if: out, then: ["{out}"] }'),
      "flow.petal": consumers("{}"),
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /error\[LILY-E0608\]: step `gen` declares no output `out`/);
      assertMatch(
        out.stderr,
        /hint: `out` is an output argument of tool `clip`: give it on step `gen`/,
      );
      assert(!out.stderr.includes("declare it: `outputs:"), out.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: a transposed required argument is one error with did-you-mean; `with.arg` one",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": `petal: "1"
name: tools
steps:
  - id: cp
    uses: tool
    with: { tool: copy, args: { inptu: a.mp4, output: work/copy.mp4 } }
  - id: cp2
    uses: tool
    with: { tool: copy, arg: { input: a.mp4, output: work/copy2.mp4 } }
`,
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /error\[LILY-E0943\]: tool `copy` has no argument `inptu`/);
      assertMatch(out.stderr, /hint: did you mean `input`\?/);
      assertMatch(out.stderr, /error\[LILY-E0942\]: tool step `cp2`: unknown field `with\.arg`/);
      assert(!out.stderr.includes("E0944"), out.stderr);
      assertMatch(out.stderr, /\n2 errors\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: a badly typed argument still counts as declared; a bad `then:` in one pass",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": `tools:
  enc:
    binary: ffmpeg
    args:
      input: { type: file, role: input, required: true }
      quality: integer
    argv:
      - -i
      - "{input}"
      - { if: quality, then: -q }
`,
      "flow.petal": `petal: "1"
name: tools
steps:
  - id: e
    uses: tool
    with: { tool: enc, args: { input: a.mp4 } }
`,
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /adapters\/process\.yaml:6:/);
      assertMatch(out.stderr, /error\[LILY-E0951\]: tool `enc`: `then:` must be a non-empty list/);
      assert(!out.stderr.includes("is not one"), out.stderr);
      assertMatch(out.stderr, /\n2 errors\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: a missing binary and an unquoted version are positioned in the .yaml (E0958)",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": `tools:
  gone:
    binary: nosuchprog-lily-test
    argv: [-x]
  enc:
    binary: ffmpeg
    version: { constraint: 5.10 }
    argv: [-x]
  enc2:
    binary: ffmpeg
    version: 4.10
    argv: [-x]
`,
      "flow.petal": `petal: "1"
name: tools
steps:
  - id: g
    uses: tool
    with: { tool: gone }
`,
    });
    try {
      let out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(
        out.stderr,
        /error\[LILY-E0958\]: tool `enc`: the version constraint is the number 5\.1, not text\n {2}--> adapters\/process\.yaml:7:28\n/,
      );
      assertMatch(
        out.stderr,
        /error\[LILY-E0958\]: tool `enc2`: the version constraint is the number 4\.1/,
      );
      assertMatch(out.stderr, /hint: quote it/);
      // The .yaml fixed: the missing binary, at its line, naming the tool.
      await Deno.writeTextFile(
        `${dir}/adapters/process.yaml`,
        `tools:\n  gone:\n    binary: nosuchprog-lily-test\n    argv: [-x]\n`,
      );
      out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(
        out.stderr,
        /error\[LILY-E0958\]: tool `gone`: its binary `nosuchprog-lily-test` is not installed here\n {2}--> adapters\/process\.yaml:3:13\n/,
      );
      assert(!out.stderr.includes("E1101"), out.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool fix: `from:` naming a misspelt output of a tool step gets did-you-mean (E0956)",
  ignore,
  fn: async () => {
    const dir = await tempProject({
      "adapters/process.yaml": twoTools('">=4"'),
      "flow.petal": TWO_STEPS.replace("steps.gen.outputs.out", "steps.gen.outputs.ot"),
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      assertMatch(out.stderr, /LILY-E0956/);
      assertMatch(out.stderr, /hint: did you mean `steps\.gen\.outputs\.out`\?/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("cli cosmetics: lock --help is not wrapped mid-line; explain --why lists the steps; cache counts", async () => {
  const help = await lily(["lock", "--help"]);
  assertEquals(help.code, 0, help.stderr);
  const description = help.stdout.split("\n\n")[1].split("\n");
  for (const line of description) {
    assert(line.trim().split(/\s+/).length > 2, `a stray wrapped line: ${JSON.stringify(line)}`);
  }
  const dir = await project({
    "flow.petal": `petal: "1"
name: one
steps:
  - id: hello
    uses: shell
    with: { run: echo hi }
`,
  });
  try {
    const why = await lily(["explain", "flow.lock.yaml", "--why", "nope"], { cwd: dir });
    assertEquals(why.code, 2, why.stderr);
    assertMatch(why.stderr, /no step `nope` in this lock/);
    assertMatch(why.stderr, /hint: its steps are `hello`/);
    const out = await run(dir);
    assertEquals(out.code, 0, out.stderr + out.stdout);
    const status = await lily(["cache", "status"], { cwd: dir });
    assertEquals(status.code, 0, status.stderr);
    assertMatch(status.stdout, / 1 entry, /);
    assert(!status.stdout.includes("1 entries"), status.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
