// A cassette is written atomically: a recorder killed (SIGKILL) while it writes leaves the
// previous good cassette, or none, never a partial file; the next save removes its temp file.
import { assert, assertEquals } from "../_assert.ts";
import { cassettePath, openCassette } from "../../src/llm/cassette.ts";
import { readCassette } from "../../src/llm/cassette_file.ts";
import { chatBody, startChatServer } from "./_cassette_server.ts";

const RECORDER = new URL("./_cassette_recorder.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * Starts the recorder and kills it as soon as its temp file appears in the cassette's folder
 * (a file-system event, not a delay). Returns whether the temp file was still there after the
 * kill (the kill landed before the rename).
 */
async function killWhileWriting(path: string, baseUrl: string): Promise<boolean> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  const name = path.slice(path.lastIndexOf("/") + 1);
  await Deno.mkdir(dir, { recursive: true });
  const watcher = Deno.watchFs(dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "--config", CONFIG, RECORDER, path, baseUrl, "24000000"],
    env: { RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  let killed = false;
  const exited = output.then(() => {
    try {
      watcher.close();
    } catch {
      // closed already, after the kill
    }
  });
  for await (const event of watcher) {
    const temp = event.paths.find((p) => p.slice(p.lastIndexOf("/") + 1).startsWith(`.${name}.`));
    if (temp && event.kind === "create") {
      child.kill("SIGKILL");
      killed = true;
      break;
    }
  }
  if (!killed) {
    const out = await output;
    throw new Error(`the recorder ended before writing: ${new TextDecoder().decode(out.stderr)}`);
  }
  const status = await output;
  await exited;
  assertEquals(status.signal, "SIGKILL");
  let left = false;
  for await (const entry of Deno.readDir(dir)) if (entry.name.startsWith(`.${name}.`)) left = true;
  return left;
}

Deno.test("a recorder killed while writing leaves the previous cassette or none, never half of one", async () => {
  const server = await startChatServer();
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-kill-" });
  try {
    const path = cassettePath(dir, "flow", "big");
    // No cassette before: after the kill there is none, or a complete one.
    const midWriteFresh = await killWhileWriting(path, server.baseUrl);
    const fresh = await readCassette(path);
    if (midWriteFresh) assertEquals(fresh, undefined);
    else assert(fresh === undefined || fresh.length === 1);
    // A good cassette before: after each kill it is byte for byte the same, or a complete new one.
    const good = await openCassette(fetch, { mode: "once", path, secrets: [] });
    const response = await good.fetch(`${server.baseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chatBody("small and good")),
    });
    await response.text();
    await good.save();
    const before = await Deno.readTextFile(path);
    let midWrite = midWriteFresh ? 1 : 0;
    for (let round = 0; round < 6 && midWrite < 2; round++) {
      const landed = await killWhileWriting(path, server.baseUrl);
      const after = await Deno.readTextFile(path);
      const interactions = await readCassette(path);
      if (landed) {
        midWrite++;
        assertEquals(after, before, "a kill during the write changed the cassette");
      } else {
        assertEquals(interactions?.length, 1);
      }
    }
    // The race was exercised: at least one kill landed while the temp file was being written.
    assert(midWrite >= 1, "no kill landed during a write (the cassette was too small?)");
    // The next save removes what the killed writers left.
    const next = await openCassette(fetch, { mode: "all", path, secrets: [] });
    await (await next.fetch(`${server.baseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chatBody("after")),
    })).text();
    await next.save();
    const names: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/cassettes/flow`)) names.push(entry.name);
    assertEquals(names, ["big.yaml"]);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
