/**
 * Golden files: exact CLI output under tests/golden/, so a change in wording is a reviewed
 * diff. `UPDATE_GOLDEN=1 deno task test` rewrites them.
 * @module
 */
import { assertEquals } from "./_assert.ts";

/** Compares `actual` with tests/golden/<name>, or writes it when UPDATE_GOLDEN=1. */
export async function assertGolden(name: string, actual: string): Promise<void> {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    await Deno.writeTextFile(url, actual);
    return;
  }
  let expected: string;
  try {
    expected = await Deno.readTextFile(url);
  } catch {
    throw new Error(
      `missing golden file tests/golden/${name}; run with UPDATE_GOLDEN=1 to create it`,
    );
  }
  assertEquals(
    actual,
    expected,
    `output differs from tests/golden/${name} (UPDATE_GOLDEN=1 to accept)`,
  );
}
