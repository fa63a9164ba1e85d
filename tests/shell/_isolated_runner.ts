/**
 * Runs one shell script in its own Deno process, for tests about scripts that could starve
 * the event loop: `deno run -A _isolated_runner.ts SCRIPT ABORT_MS` (ABORT_MS < 0: never abort).
 * Prints `{"exitCode":N}` and nothing else; the script's own output is dropped.
 * @module
 */
import { parseScript } from "../../src/shell/parser.ts";
import { runScript } from "../../src/shell/exec.ts";
import { BIN } from "./_run.ts";

const [script, abortMs] = Deno.args;
const controller = new AbortController();
const timer = Number(abortMs) >= 0
  ? setTimeout(() => controller.abort(), Number(abortMs))
  : undefined;
const dir = await Deno.makeTempDir({ prefix: "lily_shell_isolated_" });
try {
  const sink = { write() {} };
  const result = await runScript(parseScript(script), {
    stdin: { kind: "null" },
    stdout: sink,
    stderr: sink,
  }, {
    cwd: dir,
    env: {},
    signal: controller.signal,
    policy: { binaries: { ...BIN }, readRoots: [dir], writeRoots: [dir], allowHint: () => "" },
  });
  console.log(JSON.stringify({ exitCode: result.exitCode }));
} finally {
  clearTimeout(timer);
  await Deno.remove(dir, { recursive: true });
}
