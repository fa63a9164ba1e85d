/**
 * A secret whose value is short or common (`null`, `true`, `e`, `1`) must not corrupt the
 * run's records: masking works on values before they are serialized, so the manifest and
 * every event stay valid JSON with their keys intact, `lily runs` still finds the run and the
 * console still prints the failure line. A secret long enough to mask (`null`, `true`) is
 * still absent from every string Lily wrote; one too short to mask (`e`, `1`) is named in a
 * warning and left as is.
 */
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";

const FLOW = `petal: "1"
name: short
params:
  key: {type: secret}
steps:
  - id: summarize
    uses: shell
    inputs: {key: {from: params.key}}
    with: {run: 'echo "got $LILY_INPUT_KEY here"; exit 3'}
`;

/** Every string (keys and values) inside a parsed JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  }
  return [];
}

for (const secret of ["null", "true", "e", "1"]) {
  const maskable = secret.length >= 4;
  Deno.test(`a secret \`${secret}\` keeps the run's records valid and findable`, async () => {
    const dir = await tempProject({ "flow.petal": FLOW });
    try {
      const env = { XDG_CACHE_HOME: `${dir}/.xdg`, LILY_SECRET_KEY: secret };
      const run = await lily(["run", "flow.petal", "--isolation", "none"], { cwd: dir, env });
      assertEquals(run.code, 1, run.stderr);
      // The console's failure line is there, with Lily's own text intact.
      assertMatch(run.stdout, /✗ summarize .*: exited with status 3/);
      const warned = /warning: secret `key` is shorter than 4 characters/.test(run.stderr);
      assertEquals(warned, !maskable, run.stderr);
      assertEquals(run.stderr.includes(`\`${secret}\``), false, "the warning names, never shows");

      const runs = `${dir}/.lily/runs`;
      const [id] = [...Deno.readDirSync(runs)].map((e) => e.name);
      const manifest = JSON.parse(await Deno.readTextFile(`${runs}/${id}/manifest.json`));
      assertEquals(manifest.schema_version, 1);
      assertEquals(manifest.run_id, id);
      assertEquals(manifest.status, "failed");
      assertEquals(manifest.steps.summarize.exit_code, 3);
      assertEquals(manifest.steps.summarize.status, "failed");
      const lines = (await Deno.readTextFile(`${runs}/${id}/events.jsonl`)).trim().split("\n");
      const events = lines.map((l) => JSON.parse(l));
      for (const e of events) {
        assertEquals(Object.keys(e).slice(0, 5), ["v", "seq", "ts", "run", "type"]);
      }
      const failed = events.find((e) => e.type === "step.failed");
      assert(failed, lines.join("\n"));
      assertEquals(failed.step, "summarize");
      assertEquals(events.at(-1).type, "run.finished");

      const listed = await lily(["runs"], { cwd: dir, env });
      assertEquals(listed.code, 0, listed.stderr);
      assertMatch(listed.stdout, new RegExp(`${id}\\s+failed`));
      const shown = await lily(["runs", "show", "latest"], { cwd: dir, env });
      assertEquals(shown.code, 0, shown.stderr);
      assertMatch(shown.stdout, /summarize\s+failed/);

      const log = await Deno.readTextFile(`${runs}/${id}/logs/summarize.1.log`);
      if (maskable) {
        assertEquals(log, "got *** here\n");
        for (const s of [...strings(manifest), ...events.flatMap(strings)]) {
          assertEquals(s.includes(secret), false, `secret in a record string: ${s}`);
        }
        assertEquals(run.stdout.includes(`got ${secret}`), false, run.stdout);
      } else {
        // Too short to mask: written as is, and nothing else is rewritten around it.
        assertEquals(log, `got ${secret} here\n`);
        assertMatch(run.stdout, /exited with status 3/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a secret `null` does not break a step's JSON output file; its values are masked", async () => {
  const flow = `petal: "1"
name: out
params:
  key: {type: secret}
steps:
  - id: emit
    uses: shell
    inputs: {key: {from: params.key}}
    with:
      run: |
        printf '{"said": "got %s here", "nothing": null}' "$LILY_INPUT_KEY" > "$LILY_OUTPUT"
    outputs: {said: {type: str}, nothing: {type: json, required: false}}
`;
  const dir = await tempProject({ "flow.petal": flow });
  try {
    const env = { XDG_CACHE_HOME: `${dir}/.xdg`, LILY_SECRET_KEY: "null" };
    const run = await lily(["run", "flow.petal", "--isolation", "none"], { cwd: dir, env });
    assertEquals(run.code, 0, run.stderr + run.stdout);
    const runs = `${dir}/.lily/runs`;
    const [id] = [...Deno.readDirSync(runs)].map((e) => e.name);
    const manifest = JSON.parse(await Deno.readTextFile(`${runs}/${id}/manifest.json`));
    const outputs = manifest.steps.emit.outputs;
    assertEquals(JSON.stringify(outputs).includes("got *** here"), true, JSON.stringify(outputs));
    assertEquals(strings(manifest).some((s) => s.includes("null")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
