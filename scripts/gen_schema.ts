/**
 * Writes the published JSON Schemas generated from the zod models:
 * docs/schema/petal.schema.json (editors) and docs/schema/lock.schema.json.
 * `deno task schema` regenerates them; a test fails when the committed files are stale.
 * @module
 */
import { z } from "zod";
import { Petal } from "../src/schema/petal.ts";
import { LockFile } from "../src/schema/lock.ts";
import { Manifest, RunEvent } from "../src/schema/events.ts";

/** The schema documents, by file name. */
export function schemaFiles(): Record<string, string> {
  const petal = {
    ...z.toJSONSchema(Petal, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    $id: "https://lily.dev/schema/petal.schema.json",
    title: "Petal workflow (Lily)",
  };
  const lock = {
    ...z.toJSONSchema(LockFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
    $id: "https://lily.dev/schema/lock.schema.json",
    title: "Lily lock file",
  };
  const doc = (schema: z.ZodType, id: string, title: string) =>
    JSON.stringify(
      {
        ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
          string,
          unknown
        >,
        $id: `https://lily.dev/schema/${id}`,
        title,
      },
      null,
      2,
    ) + "\n";
  return {
    "events.schema.json": doc(RunEvent, "events.schema.json", "Lily run event (one JSON line)"),
    "manifest.schema.json": doc(Manifest, "manifest.schema.json", "Lily run manifest"),
    "petal.schema.json": JSON.stringify(petal, null, 2) + "\n",
    "lock.schema.json": JSON.stringify(lock, null, 2) + "\n",
  };
}

if (import.meta.main) {
  const dir = new URL("../docs/schema/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(schemaFiles())) {
    await Deno.writeTextFile(new URL(name, dir), text);
    console.log(`wrote docs/schema/${name}`);
  }
}
