// Tool declarations and tool steps below the CLI: a docker tool is pinned by image (no host
// binary is allowed for it), a tool step on the http adapter is left to that adapter (an empty
// spec, no `with.tool` needed), and a step's args become the lock's `with` with defaults filled.
import { assert, assertEquals } from "../_assert.ts";
import type { LilyError } from "../../src/errors.ts";
import { parseSource } from "../../src/source/load.ts";
import type { Step } from "../../src/schema/petal.ts";
import type { LockStep } from "../../src/schema/lock.ts";
import { planToolStep, toolSpec } from "../../src/steps/tool.ts";
import { readToolDecls } from "../../src/steps/tool_decl.ts";

const DOCKER = `tools:
  ffmpeg:
    image: docker.io/library/ffmpeg:6.1
    binary: ffmpeg
    version: "^6"
    args:
      input: { type: file, role: input, required: true }
      scale: { type: int, default: 320 }
    argv: [-i, "{input}", -vf, "scale={scale}:-1", out.mp4]
settings: { runtime: runc } # the docker adapter's own settings may sit beside tools:
`;

function decls(text: string, adapter: string, errors: LilyError[] = []) {
  const doc = parseSource(`adapters/${adapter}.yaml`, text);
  return readToolDecls(doc.data, {
    adapter,
    file: `adapters/${adapter}.yaml`,
    strictTop: adapter === "process",
  }, errors);
}

Deno.test("a docker tool: pinned by image, argv from its template, no host binary allowed", () => {
  const errors: LilyError[] = [];
  const tools = decls(DOCKER, "docker", errors);
  assertEquals(errors.map((e) => e.message), []);
  const step = {
    id: "t",
    uses: "tool",
    adapter: "docker",
    with: { tool: "ffmpeg", args: { input: "in.mp4" } },
  } as Step;
  const decl = planToolStep(step, {
    where: () => undefined,
    tools,
    readRoots: ["."],
    writeRoots: ["."],
  }, errors);
  assertEquals(errors.map((e) => e.message), []);
  assertEquals(decl?.image, "docker.io/library/ffmpeg:6.1");
  assertEquals(step.with, {
    tool: "ffmpeg",
    args: { input: "in.mp4", scale: 320 },
    argv: ["ffmpeg", "-i", "in.mp4", "-vf", "scale=320:-1", "out.mp4"],
    image: "docker.io/library/ffmpeg:6.1",
  });
  assertEquals(step.resources, undefined);
  assertEquals(step.inputs, { input: { type: "file", path: "in.mp4", required: true } });
});

Deno.test("adapters/process.yaml holds only tools: (docker's file may hold its settings)", () => {
  const errors: LilyError[] = [];
  decls("tools: {}\nsettings: {}\n", "process", errors);
  assertEquals(errors.map((e) => e.code), ["LILY-E0949"]);
  const docker: LilyError[] = [];
  decls("tools:\n  x: {binary: x, argv: []}\n", "docker", docker);
  assertEquals(docker.map((e) => e.message), ["tool `x`: a docker tool needs `image:`"]);
});

Deno.test("a tool step on the http adapter is the http adapter's: an empty spec", () => {
  const step = {
    id: "h",
    uses: "tool",
    adapter: "http",
    with: { method: "GET", url: "http://127.0.0.1/" },
  } as unknown as LockStep;
  const spec = toolSpec(step, {
    cwd: "/",
    env: {},
    binaries: {},
    readRoots: [],
    writeRoots: [],
    denyRoots: [],
    graceMs: 0,
    pid: 1,
  });
  assertEquals(spec.argv, []);
  assert(spec.script === undefined);
});
