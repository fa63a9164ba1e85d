// A position can be read at any time: before ensureLocator() has been awaited, the locator
// loads synchronously (it used to throw "a source position was read before ensureLocator()").
import { assertEquals } from "../_assert.ts";
import { denoDir } from "../_tools.ts";

Deno.test("a span read before ensureLocator() resolves to its real position", async () => {
  const script = new URL("./_read_span_early.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", script],
    env: { DENO_DIR: denoDir(), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  const span = JSON.parse(new TextDecoder().decode(out.stdout));
  // `y` in `c: [x, y]`, with nothing else (no `provisional` marker) in the span.
  assertEquals(span, { line: 3, col: 10, file: "early.yaml", length: 1 });
});
