import { assertEquals } from "../_assert.ts";
import { badKey, keyOf, matrixKey, parseKeyTemplate } from "../../src/steps/foreach_keys.ts";

function key(template: string, item: unknown, index = 0): string {
  const parsed = parseKeyTemplate(template);
  if ("error" in parsed) throw new Error(parsed.error);
  return keyOf(parsed, item, index);
}

Deno.test("key templates: item, item fields, index and text", () => {
  assertEquals(key("{{ index }}", "x", 7), "7");
  assertEquals(key("{{item}}", "clip.mp4"), "clip.mp4");
  assertEquals(key("{{ item.os }}-py{{ item.py }}", { os: "linux", py: "3.12" }), "linux-py3.12");
  assertEquals(key("n{{ item }}", 3), "n3");
});

Deno.test("key templates refuse what the engine could not evaluate without a template engine", () => {
  for (
    const bad of ["{{ item | upper }}", "{% if item %}a{% endif %}", "{{ params.x }}", "{{ item"]
  ) {
    assertEquals("error" in parseKeyTemplate(bad), true, bad);
  }
});

Deno.test("keys must be safe in file names", () => {
  assertEquals(badKey("a-1.2=b+c_d"), undefined);
  for (const bad of ["", "a/b", "..", ".hidden", "a b", "a,b", "x".repeat(65), "é"]) {
    assertEquals(typeof badKey(bad), "string", bad);
  }
});

Deno.test("matrix keys: values in axis order, unsafe characters replaced", () => {
  assertEquals(matrixKey({ os: "ubuntu-latest", py: "3.12" }), "ubuntu-latest-3.12");
  assertEquals(matrixKey({ os: "mac os", n: 3 }), "mac_os-3");
});
