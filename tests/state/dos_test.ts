/**
 * Denial of service, through the real CLI: a FIFO output, a FIFO `$LILY_OUTPUT`, a `file`
 * param of `/dev/zero`, a sparse output above the cache's blob limit, a step that prints more
 * than the log cap, and `center(2e9)` at compose. Each ends, with a clear report. (A FIFO
 * read would block forever: before the fix these tests hang instead of finishing.)
 */
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";
import { latestManifest } from "../run/_run.ts";
import { exists, projectBeside, runIn } from "./_state.ts";

Deno.test({
  name: "a FIFO as an output, or as $LILY_OUTPUT, fails the step instead of hanging Lily",
  ignore: Deno.build.os !== "linux" || skipUnless("mkfifo"),
  fn: async () => {
    const { base, dir } = await projectBeside({
      "flow.petal": `petal: "1"
name: fifo
steps:
  - id: out
    uses: shell
    resources: {binaries: [mkfifo]}
    with: {run: "mkfifo out/p"}
    outputs: {p: {path: out/p}}
  - id: io
    uses: shell
    resources: {binaries: [mkfifo]}
    with: {run: 'rm -f "$LILY_OUTPUT"; mkfifo "$LILY_OUTPUT"'}
    outputs: {v: {type: str}}
`,
      "out/.keep": "",
    });
    try {
      const out = await runIn(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout + out.stderr);
      const m = latestManifest(dir);
      assertEquals([m.steps.out.status, m.steps.io.status], ["failed", "failed"]);
      assertMatch(m.steps.out.error, /`out\/p` is not a regular file/);
      assertMatch(m.steps.io.error, /output file \(`\$LILY_OUTPUT`\) is not a regular file/);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "a `file` param of /dev/zero fails the step instead of hashing forever",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const { base, dir } = await projectBeside({
      "flow.petal": `petal: "1"
name: zero
params:
  f: {type: file, default: /dev/zero}
steps:
  - id: a
    uses: shell
    inputs: {f: {from: params.f}}
    with: {run: "echo hi"}
`,
    });
    try {
      const out = await runIn(dir);
      assertEquals(out.code, 1, out.stdout + out.stderr);
      assertMatch(latestManifest(dir).steps.a.error, /`\/dev\/zero` is not a regular file/);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "a sparse output above the blob limit is passed on but not cached, with a warning",
  ignore: Deno.build.os !== "linux" || skipUnless("truncate"),
  fn: async () => {
    const { base, dir } = await projectBeside({
      "flow.petal": `petal: "1"
name: sparse
steps:
  - id: a
    uses: shell
    resources: {binaries: [truncate]}
    with: {run: "truncate -s 3M out/big.bin"}
    outputs: {big: {path: out/big.bin}}
`,
      "out/.keep": "",
    });
    const env = { LILY_CACHE_MAX_BLOB: String(1024 * 1024) };
    try {
      const out = await runIn(dir, [], env);
      assertEquals(out.code, 0, out.stdout + out.stderr);
      assertMatch(out.stdout, /warning: a: output `big` is 3145728 bytes, above the cache's limit/);
      assert(!exists(`${dir}/.lily/cache/blobs`), "no blob was stored");
      assertEquals(latestManifest(dir).steps.a.outputs.big.path, "out/big.bin");
      const again = await runIn(dir, [], env);
      assertEquals(again.code, 0, again.stderr);
      assertEquals(latestManifest(dir).steps.a.status, "succeeded", "not a cache hit");
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "a step log is capped, with a truncation marker",
  ignore: skipUnless("head", "tr"),
  fn: async () => {
    const { base, dir } = await projectBeside({
      "flow.petal": `petal: "1"
name: loud
steps:
  - id: loud
    uses: shell
    resources: {binaries: [head, tr]}
    with: {run: "head -c 50000 /dev/zero | tr '\\\\0' x"}
`,
    });
    try {
      const out = await runIn(dir, [], { LILY_MAX_LOG: "1000" });
      assertEquals(out.code, 0, out.stdout + out.stderr);
      const m = latestManifest(dir);
      const log = await Deno.readTextFile(`${dir}/.lily/runs/${m.run_id}/${m.steps.loud.logs[0]}`);
      assert(log.startsWith("x".repeat(1000) + "\n[lily: log truncated"), log.slice(0, 1100));
      assert(log.length < 1200, `log is ${log.length} bytes`);
      assertEquals(m.steps.loud.metrics.log_truncated_at_bytes, 1000);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test("`center(2e9)` and a multiplying `replace` are refused at compose, not allocated", async () => {
  for (
    const expr of [
      `"x" | center(2000000000)`,
      `"x" | indent(2000000000)`,
      `[1, 2] | batch(2000000000, 0) | length`,
      `"${"a".repeat(2000)}" | replace("", "${"b".repeat(1000)}")`,
    ]
  ) {
    const dir = await tempProject({
      "flow.petal": `petal: "1"
name: big
steps:
  - id: a
    uses: shell
    with: {run: 'echo {{ ${expr} }}'}
`,
    });
    try {
      const out = await lily(["compose", "flow.petal", "-o", "l.yaml"], { cwd: dir });
      assertEquals(out.code, 2, expr + "\n" + out.stderr);
      assertMatch(out.stderr, /LILY-E0733.*over the template budget/);
      assertMatch(out.stderr, /flow\.petal:6:/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
