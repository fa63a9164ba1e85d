import { ensureLocator } from "../../src/source/locate.ts";
await ensureLocator();
import { assert, assertEquals } from "../_assert.ts";
import { schemaFiles } from "../../scripts/gen_schema.ts";
import { VERSION } from "../../src/version.ts";
import { validate } from "../../src/schema/validate.ts";
import { Petal } from "../../src/schema/petal.ts";
import { parseSource } from "../../src/source/load.ts";
import { LilyErrors } from "../../src/errors.ts";

Deno.test("the committed JSON Schemas match the zod models (deno task schema regenerates)", async () => {
  for (const [name, text] of Object.entries(schemaFiles())) {
    const committed = await Deno.readTextFile(
      new URL(`../../docs/schema/${name}`, import.meta.url),
    );
    assertEquals(
      committed,
      text,
      `docs/schema/${name} is stale: run \`deno run -A scripts/gen_schema.ts\``,
    );
  }
});

Deno.test("the JSON Schema rejects unknown fields like the validator", () => {
  const schema = JSON.parse(schemaFiles()["petal.schema.json"]);
  assertEquals(schema.additionalProperties, false);
  assertEquals(schema.required.sort(), ["name", "petal", "steps"]);
});

Deno.test("src/version.ts matches deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assertEquals(VERSION, config.version);
});

Deno.test("an unknown field gets a did-you-mean at its key", () => {
  const doc = parseSource(
    "t.petal",
    'petal: "1"\nname: x\nsteps:\n  - id: a\n    uses: shell\n    timout: 2s\n',
  );
  try {
    validate(Petal, doc.data, { what: "workflow" });
    throw new Error("expected a validation error");
  } catch (error) {
    assert(error instanceof LilyErrors);
    const [e] = error.errors;
    assertEquals([e.code, e.span?.line, e.span?.col, e.hint], [
      "LILY-E0201",
      6,
      5,
      "did you mean `timeout`?",
    ]);
  }
});
