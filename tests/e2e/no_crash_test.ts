// User mistakes that used to end in "internal error" (exit 70, a stack trace) are Lily errors
// with a code and exit status 2.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: j
params:
  j: {type: json, default: 1}
steps:
  - id: a
    uses: shell
    with: {run: "echo {{ params.j | tojson | shq }}"}
`;

function assertNoCrash(stderr: string): void {
  assert(!/internal error|\n\s+at [\w.<]+ \(/.test(stderr), stderr);
}

Deno.test("writing a lock where no file can go is LILY-E0010, not a crash", async () => {
  const dir = await tempProject({ "f.petal": FLOW, "file": "a regular file\n" });
  try {
    // A directory that is a regular file, then a directory that does not exist and cannot.
    for (const output of ["file/x.lock.yaml", "/proc/lily-test/x.lock.yaml"]) {
      const { code, stderr } = await lily(["compose", "f.petal", "-o", output], { cwd: dir });
      assertEquals(code, 2, stderr);
      assertNoCrash(stderr);
      assertMatch(stderr, /^error\[LILY-E0010\]: .* failed: /);
      assertMatch(stderr, /= hint: check that the path exists/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a json -p value with a number out of range is LILY-E0305, not a crash", async () => {
  const dir = await tempProject({ "f.petal": FLOW });
  try {
    const { code, stderr } = await lily(["compose", "f.petal", "-p", "j=[1e400]", "-o", "-"], {
      cwd: dir,
    });
    assertEquals(code, 2, stderr);
    assertNoCrash(stderr);
    assertMatch(stderr, /error\[LILY-E0305\]: param `j` is `json`, but `\[1e400\]` is not JSON/);
    assertMatch(stderr, /--> -p j=\[1e400\] \(command line\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock written to a FIFO goes through it; the FIFO is not replaced by a file", async () => {
  const dir = await tempProject({ "f.petal": FLOW });
  try {
    // As root, `-o /dev/null` used to rename a temp file over the device node.
    const fifo = `${dir}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert(made.success, "mkfifo failed");
    const reader = Deno.open(fifo, { read: true }).then(async (file) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of file.readable) chunks.push(chunk);
      return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    });
    const { code, stderr } = await lily(["compose", "f.petal", "-o", "pipe"], { cwd: dir });
    assertEquals(code, 0, stderr);
    assertMatch(await reader, /^spec_hash: /m);
    assert((await Deno.lstat(fifo)).isFifo, "the FIFO was replaced");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
