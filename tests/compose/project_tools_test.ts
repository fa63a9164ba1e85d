// Project-local tools by relative path (issue 9 §6): pinned relative to the project, so the
// lock is the same wherever the project is; the E0617 hint names an entry that works.
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: tools
steps:
  - id: gen
    uses: shell
    resources: {binaries: [./tools/gen.sh]}
    outputs: {said: {type: str}}
    with: {run: 'tools/gen.sh hello >> "$LILY_OUTPUT"'}
`;

async function project(flow = FLOW): Promise<string> {
  const dir = await tempProject({
    "flow.petal": flow,
    "tools/gen.sh": '#!/bin/sh\necho "said=$1 from gen"\n',
    "tools/other.sh": '#!/bin/sh\necho "said=$1 from other"\n',
  });
  await Deno.chmod(`${dir}/tools/gen.sh`, 0o755);
  await Deno.chmod(`${dir}/tools/other.sh`, 0o755);
  return dir;
}

async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", `${from}/.`, to] }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
}

const env = { PATH: "/usr/bin:/bin" };

Deno.test({
  name: "a project tool is pinned relative: the lock is byte-identical in a copy, and runs there",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await project();
    const copy = await Deno.makeTempDir({ prefix: "lily-test-copy-" });
    try {
      const out = await lily(["compose", "flow.petal"], { cwd: dir, env });
      assertEquals(out.code, 0, out.stderr);
      const lock = await Deno.readTextFile(`${dir}/locks/flow.petal.lock.yaml`);
      assertMatch(
        lock,
        /"\.\/tools\/gen\.sh":\n\s+path: tools\/gen\.sh\n\s+sha256: "?[0-9a-f]{64}/,
      );
      assertNotMatch(lock, new RegExp(dir.replaceAll("/", "\\/")), "no absolute path in the lock");

      await copyTree(dir, copy);
      const again = await lily(["compose", "flow.petal"], { cwd: copy, env });
      assertEquals(again.code, 0, again.stderr);
      assertEquals(await Deno.readTextFile(`${copy}/locks/flow.petal.lock.yaml`), lock);
      const ran = await lily(["run", "locks/flow.petal.lock.yaml"], { cwd: copy, env });
      assertEquals(ran.code, 0, ran.stdout + ran.stderr);
      const runs = [...Deno.readDirSync(`${copy}/.lily/runs`)].map((e) => e.name);
      const manifest = JSON.parse(
        await Deno.readTextFile(`${copy}/.lily/runs/${runs[0]}/manifest.json`),
      );
      assertEquals(manifest.steps.gen.outputs.said.value, "hello from gen");

      // The copy's tool is verified by its sha256: an edit is drift for sync and run.
      await Deno.writeTextFile(`${copy}/tools/gen.sh`, '#!/bin/sh\necho "said=evil"\n');
      const sync = await lily(["sync", "locks/flow.petal.lock.yaml"], { cwd: copy, env });
      assertEquals(sync.code, 1);
      assertMatch(sync.stdout, /✗ binary \.\/tools\/gen\.sh: `tools\/gen\.sh` changed/);
      const refused = await lily(["run", "locks/flow.petal.lock.yaml"], { cwd: copy, env });
      assertEquals(refused.code, 2);
      assertMatch(refused.stderr, /LILY-E1103/);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(copy, { recursive: true });
    }
  },
});

Deno.test({
  name: "E0617's hint for a project tool names its path; following the hint composes and runs",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const flow = FLOW.replace("tools/gen.sh hello", "./tools/other.sh hello");
    const dir = await project(flow);
    try {
      const out = await lily(["compose", "flow.petal"], { cwd: dir, env });
      assertEquals(out.code, 2);
      assertMatch(out.stderr, /error\[LILY-E0617\]: step `gen` runs `\.\/tools\/other\.sh`/);
      // The step has `resources.binaries`: the hint says to add the name to that list.
      const hint = /add `([^`]+)` to this step's `resources\.binaries` list/.exec(out.stderr);
      assert(hint, out.stderr);
      assertEquals(hint[1], "./tools/other.sh");
      // Do what the hint says.
      await Deno.writeTextFile(
        `${dir}/flow.petal`,
        flow.replace("binaries: [./tools/gen.sh]", `binaries: [${hint[1]}]`),
      );
      const fixed = await lily(["run", "flow.petal"], { cwd: dir, env });
      assertEquals(fixed.code, 0, fixed.stdout + fixed.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "E0617's hint for a PATH program names it bare; following the hint composes and runs",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const flow = FLOW.replace("tools/gen.sh hello", "mytool hello").replace(
      "binaries: [./tools/gen.sh]",
      "binaries: []",
    );
    const dir = await project(flow);
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/mytool`, '#!/bin/sh\necho "said=$1 from mytool"\n');
    await Deno.chmod(`${dir}/bin/mytool`, 0o755);
    const pathEnv = { PATH: `${dir}/bin:/usr/bin:/bin` };
    try {
      const out = await lily(["compose", "flow.petal"], { cwd: dir, env: pathEnv });
      assertEquals(out.code, 2);
      // The step has `resources.binaries`: the hint says to add the name to that list.
      const hint = /add `([^`]+)` to this step's `resources\.binaries` list/.exec(out.stderr);
      assert(hint, out.stderr);
      assertEquals(hint[1], "mytool");
      await Deno.writeTextFile(
        `${dir}/flow.petal`,
        flow.replace("binaries: []", `binaries: [${hint[1]}]`),
      );
      const fixed = await lily(["run", "flow.petal"], { cwd: dir, env: pathEnv });
      assertEquals(fixed.code, 0, fixed.stdout + fixed.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a relative binary that leaves the project through a link is refused",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await project(FLOW.replaceAll("gen.sh", "out.sh"));
    try {
      await Deno.symlink("/bin/sh", `${dir}/tools/out.sh`);
      const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir, env });
      assertEquals(out.code, 2);
      assertMatch(
        out.stderr,
        /error\[LILY-E0720\]: project tool `\.\/tools\/out\.sh` resolves outside the project/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
