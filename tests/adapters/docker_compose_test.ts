// Compose-time checks of `adapter: docker`: every problem of a workflow in one pass, each at
// its position (no image, an image on a step that does not run in a container, a kind or field
// a container cannot run, a bad reference, a memory size), and what a docker step does NOT get
// checked as a host step (its programs are the image's). Needs no container engine.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { dockerImagePins, isImageRef } from "../../src/steps/docker_checks.ts";

Deno.test("docker compose: every error of the pass, positioned", async () => {
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: bad
steps:
  - id: noimage
    uses: shell
    adapter: docker
    with:
      run: echo hi
  - id: hostimage
    uses: shell
    with:
      image: alpine:3.20
      run: echo hi
  - id: proc
    uses: process
    adapter: docker
    with:
      image: alpine:3.20
      argv: [echo, hi]
  - id: shelled
    uses: shell
    adapter: docker
    with:
      image: alpine:3.20
      shell: bash
      run: echo hi
  - id: badref
    uses: shell
    adapter: docker
    with:
      image: "Not A Ref!"
      run: echo hi
  - id: py
    uses: python
    adapter: docker
    resources: { memory: lots }
    with:
      image: python:3.12-slim
      packages: [numpy]
      code: print(1)
`,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    const found = [
      ...out.stderr.matchAll(/error\[(LILY-E\d+)\][^\n]*\n\s*--> flow\.petal:(\d+):\d+/g),
    ]
      .map((m) => `${m[1]}@${m[2]}`);
    for (
      const want of [
        "LILY-E0901@6", // noimage: at its adapter
        "LILY-E0902@12", // hostimage: at with.image
        "LILY-E0907@16", // process: at its adapter
        "LILY-E0907@25", // with.shell
        "LILY-E0909@31", // bad reference
        "LILY-E0908@36", // memory
        "LILY-E0910@39", // packages
      ]
    ) assert(found.includes(want), `${want} not in ${found.join(", ")}\n${out.stderr}`);
    assert(!/LILY-E061[79]/.test(out.stderr), "docker steps' programs checked as host programs");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docker compose: a docker step's programs (and python) are the image's, its image is in the pins", async () => {
  const dir = await tempProject({
    "flow.petal": `petal: "1"
name: ok
steps:
  - id: a
    uses: shell
    adapter: docker
    with:
      image: localhost/tools:1
      run: jq . data.json | sort | uniq -c > out.txt
  - id: py
    uses: python
    adapter: docker
    with:
      image: localhost/tools:1
      python: /opt/only-in-the-image/python3
      code: print(1)
`,
  });
  try {
    const out = await lily(["compose", "flow.petal", "-o", "flow.lock.yaml"], { cwd: dir });
    assertEquals(out.code, 0, out.stderr);
    const lock = await Deno.readTextFile(`${dir}/flow.lock.yaml`);
    assertMatch(lock, /images:\n\s+"?localhost\/tools:1"?: ""/);
    assertMatch(lock, /adapter: docker/);
    assertMatch(lock, /- "?image:localhost\/tools:1"?/);
    // The image's interpreter: nothing of the host pinned (it need not exist here).
    assert(!lock.includes('only-in-the-image/python3":\n') && /binaries: \{\}/.test(lock), lock);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docker compose: image references", () => {
  for (
    const good of [
      "alpine",
      "alpine:3.20",
      "python:3.12-slim",
      "localhost/lily-test-busybox:8a06e6bcd4097aee",
      "registry.example.com:5000/team/app:1.2",
      `alpine@sha256:${"a".repeat(64)}`,
    ]
  ) assert(isImageRef(good), good);
  for (const bad of ["", "Alpine", "a b", "alpine:", "alpine@sha256:xyz", "-x", "a//b"]) {
    assert(!isImageRef(bad), bad);
  }
  assertEquals(
    dockerImagePins([
      { adapter: "docker", with: { image: "b:1" } },
      { adapter: "process", with: { image: "c:1" } },
      { adapter: "docker", with: { image: "a:1" } },
    ], { "a:1": "sha256:x" }),
    { "a:1": "sha256:x", "b:1": "" },
  );
});
