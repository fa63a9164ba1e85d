// `uses: tool` through the real CLI and the real ffmpeg: a tool declared in the project's
// adapters/process.yaml, its arguments checked at compose (every error at its position, in the
// .yaml and in the workflow), its argv built with no shell (a value is one argument: the
// injection attack), its file arguments as inputs and outputs (cache keys), its pin in
// registry_pins.tools, `lily sync` checking the version constraint with the tool's own probe,
// and `run --locked` refusing a replaced binary.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";
import { latestManifest, project, run } from "../run/_run.ts";

const ignore = Deno.build.os !== "linux" || skipUnless("ffmpeg", "ffprobe");

/** adapters/process.yaml with ffmpeg (`binary` given) and a clip generator. */
function toolsYaml(binary = "ffmpeg", version = '">=4"'): string {
  return `tools:
  ffmpeg:
    description: Transcodes a video
    binary: ${binary}
    version: { constraint: ${version}, args: [-version] }
    args:
      input: { type: file, role: input, required: true }
      output: { type: file, role: output, required: true }
      codec: { type: str, enum: [mpeg4, libx264], default: mpeg4 }
      crf: { type: int }
      overwrite: { type: bool, default: true }
    argv:
      - -hide_banner
      - -loglevel
      - error
      - { if: overwrite, then: [-y] }
      - -i
      - "{input}"
      - -c:v
      - "{codec}"
      - { if: crf, then: [-q:v, "{crf}"] }
      - "{output}"
  clip:
    binary: ${binary}
    args:
      out: { type: file, role: output, required: true }
      title: { type: str, default: "" }
    argv: [-hide_banner, -loglevel, error, -y, -f, lavfi, -i, "testsrc=duration=1:size=64x64:rate=5", -metadata, "title={title}", "{out}"]
`;
}

function flow(steps: string, params = ""): string {
  return `petal: "1"\nname: tools\n${params}steps:\n${steps}`;
}

const TWO_STEPS = flow(
  `  - id: gen
    uses: tool
    with: { tool: clip, args: { out: work/clip.mp4 } }
  - id: small
    uses: tool
    needs: [gen]
    with:
      tool: ffmpeg
      args: { input: work/clip.mp4, output: work/small.mp4, crf: "{{ params.q }}" }
`,
  "params:\n  q: { type: int, default: 20 }\n",
);

function ffprobe(path: string, entry: string): string {
  const out = new Deno.Command("ffprobe", {
    args: ["-v", "error", "-show_entries", entry, "-of", "default=nw=1:nk=1", path],
    stdout: "piped",
  }).outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test({
  name: "tool: ffmpeg runs from its declaration; argv in the lock; file args are inputs/outputs",
  ignore,
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": toolsYaml(),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      // The argv compose built: the binary, then the template filled (defaults, `if:`, params).
      assertMatch(
        lock,
        /argv:\n {10}- ffmpeg\n {10}- "-hide_banner"\n {10}- "-loglevel"\n {10}- error\n {10}- "-y"\n {10}- "-i"\n {10}- work\/clip\.mp4\n {10}- "-c:v"\n {10}- mpeg4\n {10}- "-q:v"\n {10}- "20"\n {10}- work\/small\.mp4\n/,
      );
      assertMatch(lock, /tools:\n {4}process:\n {6}clip:\n/);
      assertMatch(
        lock,
        /constraint: ">=4"\n {8}path: "?\/usr\/bin\/ffmpeg"?\n {8}sha256: "?[0-9a-f]{64}"?\n {8}version: null/,
      );
      assertMatch(lock, /role: tools/);
      const out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(ffprobe(`${dir}/work/small.mp4`, "stream=width"), "64");
      assertEquals(ffprobe(`${dir}/work/small.mp4`, "stream=codec_name"), "mpeg4");
      const m = latestManifest(dir);
      assertEquals(m.steps.small.outputs.output.path, "work/small.mp4");
      assertEquals(m.steps.gen.outputs.out.path, "work/clip.mp4");
      const explain = await lily(["explain", "flow.lock.yaml"], { cwd: dir });
      assertEquals(explain.code, 0, explain.stderr);
      assertMatch(
        explain.stdout,
        /tool ffmpeg: ffmpeg -hide_banner -loglevel error -y -i work\/clip\.mp4 -c:v mpeg4 -q:v 20 work\/small\.mp4/,
      );
      assertMatch(
        explain.stdout,
        /tools\n(.*\n)*? {2}ffmpeg \(process\) → \/usr\/bin\/ffmpeg .*version not taken \(wants >=4\)/,
      );
      assertMatch(explain.stdout, /inputs: input ← work\/clip\.mp4 \(file\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "tool: the cache keys on the args — same args hit, a changed arg misses, upstream stays cached",
  ignore,
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": toolsYaml(),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    const status = () => {
      const steps = latestManifest(dir).steps;
      return [steps.gen.status, steps.small.status];
    };
    try {
      let out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(status(), ["succeeded", "succeeded"]);
      out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(status(), ["cached", "cached"]);
      const first = await Deno.readFile(`${dir}/work/small.mp4`);
      // Another crf: only the step whose argument changed runs again.
      const compose = await lily(
        ["compose", "flow.petal", "-o", "flow.lock.yaml", "-q", "-p", "q=31"],
        { cwd: dir },
      );
      assertEquals(compose.code, 0, compose.stderr);
      out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(status(), ["cached", "succeeded"]);
      assert(
        (await Deno.readFile(`${dir}/work/small.mp4`)).join() !== first.join(),
        "another quality gives another file",
      );
      out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(status(), ["cached", "cached"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool attack: shell syntax in a value is one argument, never code (python3 and ffmpeg)",
  ignore: ignore || skipUnless("python3"),
  fn: async () => {
    const hostile = ["; touch pwned1", "$(touch pwned2)", "`touch pwned3`", "a b *", "x' \"y"];
    const dump = "import sys, json; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))";
    const dir = await project({
      "adapters/process.yaml": `${toolsYaml()}  dump:
    binary: python3
    args:
      out: { type: file, role: output, required: true }
${[..."abcde"].map((k) => `      ${k}: { type: str, required: true }\n`).join("")}\
    argv: [-c, "${dump}", "{out}", "{a}", "{b}", "--opt={c}", "{d}", "{e}"]
`,
      "flow.petal": flow(
        `  - id: dump
    uses: tool
    cache: { policy: never }
    with:
      tool: dump
      args:
        out: args.json
${hostile.map((v, i) => `        ${"abcde"[i]}: ${JSON.stringify(v)}\n`).join("")}  - id: meta
    uses: tool
    cache: { policy: never }
    with: { tool: clip, args: { out: meta.mp4, title: ${JSON.stringify(hostile[1] + hostile[0])} } }
`,
      ),
    });
    try {
      for (const isolation of ["auto", "none"]) {
        const out = await run(dir, ["--isolation", isolation]);
        assertEquals(out.code, 0, out.stderr + out.stdout);
        const got = JSON.parse(await Deno.readTextFile(`${dir}/args.json`));
        assertEquals(got, [hostile[0], hostile[1], `--opt=${hostile[2]}`, hostile[3], hostile[4]]);
        assertEquals(
          ffprobe(`${dir}/meta.mp4`, "format_tags=title"),
          hostile[1] + hostile[0],
        );
        for (const name of ["pwned1", "pwned2", "pwned3"]) {
          const exists = await Deno.stat(`${dir}/${name}`).then(() => true, () => false);
          assert(!exists, `${name} was created: a value ran as shell code`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "tool: sync takes the version with the tool's probe and checks the constraint; drift refused",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    // A project copy of ffmpeg, so the test can replace it (pinned by its project path).
    const dir = await tempProject({
      "adapters/process.yaml": toolsYaml("./tools/ffmpeg"),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      await Deno.mkdir(`${dir}/tools`);
      await Deno.copyFile("/usr/bin/ffmpeg", `${dir}/tools/ffmpeg`);
      await Deno.chmod(`${dir}/tools/ffmpeg`, 0o755);
      const compose = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], {
        cwd: dir,
      });
      assertEquals(compose.code, 0, compose.stderr);
      const here = /ffmpeg version (\d+(?:\.\d+)+)/.exec(
        new TextDecoder().decode(
          new Deno.Command("ffmpeg", { args: ["-version"], stdout: "piped" }).outputSync().stdout,
        ),
      )![1];
      const before = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 0, sync.stdout + sync.stderr);
      assertMatch(
        sync.stdout,
        new RegExp(`✓ tool ffmpeg tools/ffmpeg ${here.replaceAll(".", "\\.")} \\(satisfies >=4\\)`),
      );
      const after = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(after, new RegExp(`version: "?${here.replaceAll(".", "\\.")}"?\\n`));
      const hash = (t: string) => /spec_hash: (\S+)/.exec(t)![1];
      assertEquals(hash(after), hash(before));
      let out = await run(dir, ["--locked"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      // The binary is replaced (same name, other bytes): --locked refuses, naming the tool.
      await Deno.writeTextFile(`${dir}/tools/ffmpeg`, "#!/bin/sh\necho not ffmpeg\n");
      out = await run(dir, ["--locked"]);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(
        out.stderr,
        /error\[LILY-E0955\]: --locked: 2 tools drifted from the lock's pins/,
      );
      assertMatch(
        out.stderr,
        /tool ffmpeg \(process\): `tools\/ffmpeg` was replaced \(sha256 [0-9a-f]{12}, pinned [0-9a-f]{12}\)/,
      );
      // Without --locked the binary pins refuse it too; sync reports drift (exit 1).
      out = await run(dir);
      assertEquals(out.code, 2, out.stderr + out.stdout);
      assertMatch(out.stderr, /LILY-E1103/);
      const resync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(resync.code, 1, resync.stdout + resync.stderr);
      assertMatch(resync.stdout, /✗ binary \.\/tools\/ffmpeg/);
      // Re-pinned, the replacement's version cannot be read: the constraint cannot be checked.
      const refresh = await lily(["lock", "refresh", "flow.lock.yaml"], { cwd: dir });
      assertEquals(refresh.code, 0, refresh.stdout + refresh.stderr);
      assertMatch(refresh.stdout, /~ tool ffmpeg: re-pinned, version cleared/);
      const probe = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(probe.code, 2, probe.stdout + probe.stderr);
      assertMatch(
        probe.stderr,
        /error\[LILY-E0954\]: tool `ffmpeg`: no version in the output of `\.\/tools\/ffmpeg -version`: not ffmpeg/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tool: a version outside the constraint is a sync error that names both (LILY-E0953)",
  ignore: ignore || skipUnless("bwrap"),
  fn: async () => {
    const dir = await project({
      "adapters/process.yaml": toolsYaml("ffmpeg", '">=99 || ~3.1"'),
      "flow.petal": TWO_STEPS,
      "work/.keep": "",
    });
    try {
      const sync = await lily(["sync", "flow.lock.yaml"], { cwd: dir });
      assertEquals(sync.code, 2, sync.stdout + sync.stderr);
      assertMatch(
        sync.stderr,
        /error\[LILY-E0953\]: tool `ffmpeg` is version \d+\.\d+(\.\d+)? here \(\/usr\/bin\/ffmpeg\), which does not satisfy `>=99 \|\| ~3\.1`/,
      );
      assertMatch(sync.stderr, /declared in adapters\/process\.yaml: version: ">=99 \|\| ~3\.1"/);
      assertMatch(sync.stderr, /= hint: install a version that does/);
      // Nothing was recorded: the lock still says it was never checked.
      assertMatch(
        await Deno.readTextFile(`${dir}/flow.lock.yaml`),
        /constraint: ">=99 \|\| ~3\.1"\n(.*\n){2} {8}version: null/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("tool: compose reports every error of the tools file at its position", async () => {
  const dir = await tempProject({
    "adapters/process.yaml": `tools:
  ffmpeg:
    binary: ffmpeg
    version: ">=5 <<8"
    args:
      input: { type: file, role: input, required: true }
      crf: { type: integr }
      size: { type: str, requird: true }
      preset: { type: str }
      level: { type: int, default: high }
    argv: ["-i", "{input}", "-s", "{size}", "-preset", "{preset}", "x}", "{inpt}"]
    binray: x
`,
    "flow.petal": flow(
      "  - id: a\n    uses: tool\n    with: { tool: ffmpeg, args: { input: a.mp4 } }\n",
    ),
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    const found = [
      ...stderr.matchAll(/error\[(LILY-E\d+)\]: .*\n {2}--> (adapters\/process\.yaml:\d+:\d+)/g),
    ]
      .map((m) => `${m[1]} ${m[2]}`);
    assertEquals(found, [
      "LILY-E0952 adapters/process.yaml:4:14",
      "LILY-E0950 adapters/process.yaml:7:20",
      "LILY-E0949 adapters/process.yaml:8:26",
      "LILY-E0950 adapters/process.yaml:10:36",
      "LILY-E0951 adapters/process.yaml:11:57",
      "LILY-E0951 adapters/process.yaml:11:70",
      "LILY-E0951 adapters/process.yaml:11:75",
      "LILY-E0949 adapters/process.yaml:12:5",
    ]);
    assertMatch(stderr, /unknown field `requird`[^]*= hint: did you mean `required`\?/);
    assertMatch(stderr, /`\{preset\}` is optional with no default, outside an `if: preset`/);
    assertMatch(stderr, /`\{inpt\}` names no argument[^]*did you mean `\{input\}`\?/);
    assertMatch(stderr, /unknown field `binray`[^]*did you mean `binary`\?/);
    // `{size}` is not reported again: its declaration's error is.
    assert(!/placeholder `\{size\}`/.test(stderr), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tool: compose checks a step's args against the declaration, each at its position", async () => {
  const dir = await tempProject({
    "adapters/process.yaml": toolsYaml(),
    "flow.petal": flow(`  - id: a
    uses: tool
    with:
      tool: ffmpeg
      args: { inptu: a.mp4, crf: high, codec: libx265, output: /tmp/x.mp4 }
  - id: b
    uses: tool
    with: { tool: ffmpg, args: {} }
  - id: c
    uses: tool
    with: { args: {}, extra: 1 }
  - id: d
    uses: tool
    outputs: { output: { path: o.mp4 } }
    with: { tool: ffmpeg, args: { output: o.mp4, overwrite: maybe } }
  - id: e
    uses: tool
    with: { tool: ffmpeg, args: { input: ../b.mp4, output: .lily/x } }
`),
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    const found = [...stderr.matchAll(/error\[(LILY-E\d+)\]: .*\n {2}--> flow\.petal:(\d+:\d+)/g)]
      .map((m) => `${m[1]} ${m[2]}`);
    assertEquals(
      found,
      [
        "LILY-E0943 8:15",
        "LILY-E0945 8:34",
        "LILY-E0946 8:47",
        "LILY-E0947 8:64",
        "LILY-E0941 11:19",
        "LILY-E0940 12:5",
        "LILY-E0942 14:23",
        "LILY-E0948 17:16",
        "LILY-E0945 18:61",
        "LILY-E0944 18:33",
        "LILY-E0947 21:42",
        "LILY-E0947 21:60",
      ].sort((a, b) => {
        const pos = (s: string) => s.split(" ")[1].split(":").map(Number);
        const [la, ca] = pos(a), [lb, cb] = pos(b);
        return la - lb || ca - cb;
      }),
    );
    // A misspelt required argument is one error, whose hint names the missing argument.
    assertMatch(stderr, /no argument `inptu`[^]*?= hint: did you mean `input`\?/);
    assert(!/step `a` does not give `input`/.test(stderr), stderr);
    assertMatch(
      stderr,
      /"libx265", not one of its values[^]*?did you mean `libx264`\? the values are `mpeg4` and `libx264`/,
    );
    assertMatch(stderr, /no tool `ffmpg` is declared[^]*?did you mean `ffmpeg`\?/);
    assertMatch(stderr, /step `d` does not give `input`, which tool `ffmpeg` requires/);
    assertMatch(stderr, /`\.\.\/b\.mp4` leaves the project/);
    assertMatch(stderr, /`\.lily\/x` is inside Lily's own `\.lily\/`/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tool: a tool step without adapters/<adapter>.yaml says which file to write", async () => {
  const dir = await tempProject({
    "flow.petal": flow("  - id: a\n    uses: tool\n    with: { tool: ffmpeg }\n"),
  });
  try {
    const { code, stderr } = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(code, 2, stderr);
    assertMatch(
      stderr,
      /error\[LILY-E0941\]: tool step `a`: no tool `ffmpeg`: the project has no adapters\/process\.yaml\n {2}--> flow\.petal:6:19/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tool: the declaring file is a source of the lock — verify sees it change", async () => {
  const yaml = 'tools:\n  noop:\n    binary: "true"\n    args: { n: { type: int, default: 1 } }\n' +
    '    argv: ["{n}"]\n';
  const dir = await project({
    "adapters/process.yaml": yaml,
    "flow.petal": flow("  - id: a\n    uses: tool\n    with: { tool: noop }\n"),
  });
  try {
    let out = await lily(["verify", "flow.lock.yaml"], { cwd: dir });
    assertEquals(out.code, 0, out.stdout + out.stderr);
    // Another default changes the argv: verify names the file, --recompose the plan.
    await Deno.writeTextFile(
      `${dir}/adapters/process.yaml`,
      yaml.replace("default: 1", "default: 2"),
    );
    out = await lily(["verify", "flow.lock.yaml", "--recompose"], { cwd: dir });
    assertEquals(out.code, 1, out.stdout + out.stderr);
    assertMatch(
      out.stdout + out.stderr,
      /tools `adapters\/process\.yaml` changed since the lock was composed/,
    );
    assertMatch(out.stdout + out.stderr, /recomposing the sources gives a different plan/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "tool: an input argument takes `from:` a step's file output — typed data flow, needs checked",
  ignore,
  fn: async () => {
    const steps = (needs: string) =>
      flow(`  - id: gen
    uses: tool
    with: { tool: clip, args: { out: work/clip.mp4 } }
  - id: small
    uses: tool
${needs}    with:
      tool: ffmpeg
      args: { input: { from: steps.gen.outputs.out }, output: work/small.mp4 }
  - id: bad
    uses: tool
    needs: [gen]
    with:
      tool: ffmpeg
      args: { input: { from: steps.gen.outputs.nope }, output: { from: steps.gen.outputs.out } }
`);
    const dir = await tempProject({
      "adapters/process.yaml": toolsYaml(),
      "flow.petal": steps(""),
      "work/.keep": "",
    });
    try {
      let out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
      assertEquals(out.code, 2, out.stderr);
      const found = [
        ...out.stderr.matchAll(/error\[(LILY-E\d+)\]: (.*)\n {2}--> flow\.petal:(\d+:\d+)/g),
      ]
        .map((m) => `${m[1]} ${m[3]}`);
      // One pass: the plan's error (no `needs`) beside the arguments'.
      assertEquals(found, ["LILY-E0607 7:5", "LILY-E0956 17:30", "LILY-E0956 17:72"]);
      assertMatch(
        out.stderr,
        /`from: steps\.gen\.outputs\.nope` of argument `input` names no file output/,
      );
      assertMatch(out.stderr, /argument `output` of tool `ffmpeg` is not an input file/);
      await Deno.writeTextFile(
        `${dir}/flow.petal`,
        steps("    needs: [gen]\n").replace(/ {2}- id: bad[^]*/, ""),
      );
      out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml", "-q"], { cwd: dir });
      assertEquals(out.code, 0, out.stderr);
      const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
      assertMatch(
        lock,
        /inputs:\n {8}input:\n {10}from: steps\.gen\.outputs\.out\n {10}required: true\n {10}type: file\n/,
      );
      assertMatch(lock, /- "-i"\n {10}- work\/clip\.mp4\n/);
      out = await run(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(ffprobe(`${dir}/work/small.mp4`, "stream=width"), "64");
      const mermaid = await lily(["explain", "flow.lock.yaml", "--format", "mermaid"], {
        cwd: dir,
      });
      assertMatch(mermaid.stdout, /s_gen ==> s_small/); // a data edge, not only an order
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
