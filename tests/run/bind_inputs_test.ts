// Input binding alone, on real files in a temporary project: a file's digest follows its
// content, an upstream output that was not produced skips the step (or is left out when
// optional), a missing file or a FIFO fails it, a JSON input is checked against its schema.
import { assert, assertEquals, assertNotEquals } from "../_assert.ts";
import { type BindContext, bindInputs } from "../../src/run/bind_inputs.ts";
import { newRecord, type StepRecord } from "../../src/run/records.ts";
import type { LockStep } from "../../src/schema/lock.ts";

function record(inputs: Record<string, unknown>): StepRecord {
  return newRecord({ id: "s", inputs, cache: { policy: "auto" } } as unknown as LockStep, false);
}

function context(root: string, producers: Record<string, StepRecord> = {}): BindContext {
  return {
    lock: { params: { n: { value: 3 }, data: { value: "in.txt" } } } as never,
    projectRoot: root,
    resolveSecret: () => Promise.resolve(undefined),
    producer: (id) => producers[id],
  };
}

Deno.test("a file input is bound to its absolute path and its content digest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/in.txt`, "one");
    const r = record({ data: { type: "file", from: "params.data", required: true } });
    const first = await bindInputs(r, context(dir));
    assert("values" in first);
    assertEquals(first.env.data, `${dir}/in.txt`);
    await Deno.writeTextFile(`${dir}/in.txt`, "two");
    const second = await bindInputs(r, context(dir));
    assert("values" in second);
    assertNotEquals(second.values.data.digest, first.values.data.digest);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a param value is bound as text for the environment and a digest for the key", async () => {
  const bound = await bindInputs(
    record({ n: { type: "int", from: "params.n", required: true } }),
    context("/"),
  );
  assert("values" in bound);
  assertEquals(bound.env.n, "3");
  assertEquals(bound.values.n.value, 3);
});

Deno.test("an output of a skipped upstream step skips the step; optional inputs are left out", async () => {
  const up = record({});
  up.state = "skipped";
  const required = await bindInputs(
    record({ x: { type: "str", from: "steps.up.outputs.x", required: true } }),
    context("/", { up }),
  );
  assertEquals(required, {
    skip: "input `x` comes from `steps.up.outputs.x`, and step `up` was skipped",
  });
  const optional = await bindInputs(
    record({ x: { type: "str", from: "steps.up.outputs.x", required: false } }),
    context("/", { up }),
  );
  assertEquals(optional, { values: {}, env: {} });
});

Deno.test("a missing file and a FIFO fail the step instead of hanging", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await bindInputs(
      record({ f: { type: "file", path: "nope.txt", required: true } }),
      context(dir),
    );
    assertEquals(missing, { fail: "input `f`: file `nope.txt` does not exist" });
    const mk = await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] }).output();
    assert(mk.success, "mkfifo");
    const fifo = await bindInputs(
      record({ f: { type: "file", path: "pipe", required: true } }),
      context(dir),
    );
    assertEquals(fifo, { fail: "input `f`: `pipe` is not a regular file or directory" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a JSON input that does not match its schema fails the step", async () => {
  const up = record({});
  up.state = "succeeded";
  up.outputs = { cfg: { type: "json", value: { rate: "fast" } } } as never;
  const bound = await bindInputs(
    record({
      cfg: {
        type: "json",
        from: "steps.up.outputs.cfg",
        required: true,
        schema: { type: "object", properties: { rate: { type: "number" } } },
      },
    }),
    context("/", { up }),
  );
  assert("fail" in bound && bound.fail.startsWith("input `cfg` does not match its schema"));
});
