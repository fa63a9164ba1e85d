// What `lily run` prints: stdout stays machine-readable with `--events -`, progress is live,
// `-v` streams step output, `lily logs` prints and follows logs.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { project, run } from "./_run.ts";

const NOISY = `petal: "1"
name: noisy
steps:
  - {id: ok, uses: shell, with: {run: "echo plain text from ok"}}
  - id: boom
    uses: shell
    retries: {max: 1, backoff: 10ms}
    with: {run: "echo not json; echo bad >&2; exit 3"}
  - {id: after, uses: shell, needs: [boom], with: {run: "echo after"}}
`;

Deno.test("--events - leaves stdout pure JSON lines, also when a step fails and retries", async () => {
  const dir = await project({ "flow.petal": NOISY });
  try {
    for (const extra of [[], ["-v"], ["--continue", "always"]]) {
      const out = await run(dir, ["--events", "-", ...extra]);
      assertEquals(out.code, 1, out.stderr);
      const lines = out.stdout.split("\n").filter((l) => l !== "");
      assert(lines.length > 3, out.stdout);
      for (const line of lines) JSON.parse(line); // throws on any human line
      assertEquals(JSON.parse(lines[lines.length - 1]).type, "run.finished");
      assert(out.stdout.endsWith("\n"));
      assertMatch(out.stderr, /✗ boom/, "the human lines go to stderr");
      assertMatch(out.stderr, /failed: .* ran/, "so does the summary");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
