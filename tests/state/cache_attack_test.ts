/**
 * Attacks on the cache through the real CLI: a forged record (unkeyed digest), a restore
 * through `out/` replaced by a link to `../OUTSIDE`, an output that is a link into `.lily/`.
 */
import { createHash } from "node:crypto";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { canonicalJson } from "../../src/util/canonical_json.ts";
import { latestManifest } from "../run/_run.ts";
import { exists, projectBeside, runIn } from "./_state.ts";

const FILE_FLOW = `petal: "1"
name: restore
steps:
  - id: a
    uses: shell
    with: {run: "test -e .stop || echo A > out/f.txt"}
    outputs: {f: {path: out/f.txt}}
`;

Deno.test("a forged cache record (an unkeyed digest) is a miss: no attacker content is restored", async () => {
  const { base, dir, outside } = await projectBeside({ "flow.petal": FILE_FLOW, "out/.keep": "" });
  try {
    assertEquals((await runIn(dir)).code, 0);
    const key = latestManifest(dir).steps.a.cache.key as string;
    // The forger plants a blob and a record pointing it at a path outside the project, with
    // the sha256 digest the old format trusted (then the same value as a would-be `mac`).
    const payload = "attacker content\n";
    const sha = createHash("sha256").update(payload).digest("hex");
    await Deno.mkdir(`${dir}/.lily/cache/blobs/${sha.slice(0, 2)}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.lily/cache/blobs/${sha.slice(0, 2)}/${sha}`, payload);
    for (
      const [path, field] of [
        ["../OUTSIDE/pwned", "digest"],
        ["out/f.txt", "digest"],
        ["../OUTSIDE/pwned", "mac"],
      ]
    ) {
      const entry = {
        key,
        step: "a",
        created: new Date().toISOString(),
        outputs: { f: { type: "file", path, sha256: sha, size: payload.length } },
      };
      const digest = createHash("sha256").update(canonicalJson(entry)).digest("hex");
      await Deno.writeTextFile(
        `${dir}/.lily/cache/records.jsonl`,
        `\n${JSON.stringify({ ...entry, [field]: digest })}\n`,
        { append: true },
      );
      const out = await runIn(dir);
      assertEquals(out.code, 0, out.stdout + out.stderr);
      assertMatch(
        out.stdout,
        /corrupt entry removed: the entry's record does not match its digest/,
      );
      assertEquals(latestManifest(dir).steps.a.status, "succeeded", "the step ran again");
      assertEquals(await Deno.readTextFile(`${dir}/out/f.txt`), "A\n");
      assert(!exists(`${outside}/pwned`), "nothing was written outside the project");
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a restore never writes through `out/` replaced by a link to ../OUTSIDE", async () => {
  const { base, dir, outside } = await projectBeside({ "flow.petal": FILE_FLOW, "out/.keep": "" });
  try {
    assertEquals((await runIn(dir)).code, 0);
    await Deno.remove(`${dir}/out`, { recursive: true });
    await Deno.symlink("../OUTSIDE", `${dir}/out`);
    await Deno.writeTextFile(`${dir}/.stop`, ""); // the step itself writes nothing now
    const out = await runIn(dir);
    assert(!exists(`${outside}/f.txt`), "the hit was not restored through the link");
    assertEquals(out.code, 1, out.stdout + out.stderr);
    assertMatch(out.stdout, /`out` is a symbolic link/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a restore replaces a link at the target, never writes through it", async () => {
  const { base, dir, outside } = await projectBeside({ "flow.petal": FILE_FLOW, "out/.keep": "" });
  try {
    assertEquals((await runIn(dir)).code, 0);
    await Deno.remove(`${dir}/out/f.txt`);
    await Deno.writeTextFile(`${outside}/victim`, "precious\n");
    await Deno.symlink(`${outside}/victim`, `${dir}/out/f.txt`);
    await Deno.writeTextFile(`${dir}/.stop`, "");
    const out = await runIn(dir);
    assertEquals(out.code, 0, out.stdout + out.stderr);
    assertEquals(latestManifest(dir).steps.a.status, "cached");
    assertEquals(await Deno.readTextFile(`${outside}/victim`), "precious\n");
    assert(!Deno.lstatSync(`${dir}/out/f.txt`).isSymlink, "the link was replaced");
    assertEquals(await Deno.readTextFile(`${dir}/out/f.txt`), "A\n");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("an output that is a link into .lily/ is refused, never cached as a file", async () => {
  const flow = `petal: "1"
name: steal
steps:
  - id: a
    uses: shell
    resources: {binaries: [ln]}
    with: {run: "ln -s ../.lily/other-secret out/f.txt"}
    outputs: {f: {path: out/f.txt}}
`;
  const { base, dir } = await projectBeside({ "flow.petal": flow, "out/.keep": "" });
  try {
    // Another workflow's state, in Lily's own directory.
    await Deno.mkdir(`${dir}/.lily`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.lily/other-secret`, "TOP-SECRET-VALUE");
    const out = await runIn(dir);
    assertEquals(out.code, 1, out.stdout + out.stderr);
    assertMatch(out.stdout, /is a symbolic link/);
    let blobs = "";
    try {
      for (const d of Deno.readDirSync(`${dir}/.lily/cache/blobs`)) {
        for (const f of Deno.readDirSync(`${dir}/.lily/cache/blobs/${d.name}`)) {
          blobs += Deno.readTextFileSync(`${dir}/.lily/cache/blobs/${d.name}/${f.name}`);
        }
      }
    } catch {
      // no blobs at all
    }
    assert(!blobs.includes("TOP-SECRET-VALUE"), "the secret was not copied into the cache");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
