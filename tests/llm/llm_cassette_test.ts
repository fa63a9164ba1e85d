// `uses: llm` with `lily run --cassettes MODE`, through the real CLI: a step's calls recorded
// once (a structured-output retry and a 429 included) are replayed with the server stopped, by
// the flag and by CI=true's default; a new prompt in a replay-only run fails with the cassette's
// error naming the request, never retried; the key is in no byte of the cassette.
import { Buffer } from "node:buffer";
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { latestManifest } from "../run/_run.ts";
import { startLlmServer } from "./_servers.ts";

const KEY = "sk-cassette-5f4e3d2c1b0a-SECRET";

function flow(baseUrl: string, prompt: string): string {
  return `petal: "1"
name: tapes
params:
  key: {type: secret}
steps:
  - id: rate
    uses: llm
    cache: {policy: never}
    retries: {max: 3, backoff: 1ms}
    inputs: {api_key: {from: params.key}}
    with: {provider: openai, model: m, base_url: ${baseUrl}, prompt: "${prompt}"}
    outputs:
      json: {type: json, schema: {type: object, required: [score], properties: {score: {type: integer}}}}
`;
}

function run(dir: string, args: string[], env: Record<string, string>) {
  return lily(["run", "flow.petal", ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: `${dir}/.xdg`, ...env },
  });
}

Deno.test("llm --cassettes: recorded once (retries included), replayed with the server stopped; a new prompt fails naming it", async () => {
  const answers = ["no json here", '{"score": 4}'];
  const server = startLlmServer("openai", {
    failures: [{ status: 429, retryAfter: "0" }],
    reply: (_body, n) => answers[Math.min(n, answers.length - 1)],
  });
  const dir = await tempProject({ "flow.petal": flow(server.baseUrl, "Rate the film.") });
  try {
    const recorded = await run(dir, ["--cassettes", "once"], {
      CI: "false",
      LILY_SECRET_KEY: KEY,
    });
    assertEquals(recorded.code, 0, recorded.stderr + recorded.stdout);
    assertEquals(server.hits.length, 3, "a 429, an invalid answer, a valid one");
    const tape = await Deno.readTextFile(`${dir}/cassettes/tapes/rate.yaml`);
    for (
      const form of [
        KEY,
        Buffer.from(KEY).toString("base64").replace(/=+$/, ""),
        encodeURIComponent(KEY),
      ]
    ) {
      assert(!tape.includes(form), `the cassette holds the key (${form})`);
    }
    await server.close();

    // Replayed: the flag, then CI=true's default (none), without the key as in CI.
    const replays: [string[], Record<string, string>][] = [
      [["--cassettes", "none"], { CI: "false" }],
      [[], { CI: "true" }],
    ];
    for (const [args, env] of replays) {
      const replayed = await run(dir, args, { LILY_SECRET_KEY: "another-key-in-ci", ...env });
      assertEquals(replayed.code, 0, replayed.stderr + replayed.stdout);
      const m = latestManifest(dir);
      assertEquals(m.steps.rate.outputs.json.value, { score: 4 });
      assertEquals(m.steps.rate.attempts, 2, "the invalid answer is replayed too, then the retry");
    }

    // A prompt the cassette does not hold: a replay-only run fails, naming the request.
    await Deno.writeTextFile(`${dir}/flow.petal`, flow(server.baseUrl, "Rate the book."));
    const missing = await run(dir, ["--cassettes", "none"], {
      CI: "false",
      LILY_SECRET_KEY: KEY,
    });
    assertEquals(missing.code, 1, missing.stderr + missing.stdout);
    assertMatch(missing.stdout + missing.stderr, /LILY-E0741/);
    assertMatch(missing.stdout + missing.stderr, /chat\/completions/);
    assertEquals(latestManifest(dir).steps.rate.attempts, 1, "it would recur: not retried");
  } finally {
    await server.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llm --cassettes with a model pin: the alias is sent, so a cassette recorded before the pin replays under it, --locked included", async () => {
  const server = startLlmServer("openai", { reply: () => '{"score": 5}' });
  const dir = await tempProject({ "flow.petal": flow(server.baseUrl, "Rate the song.") });
  const lock = "locks/flow.petal.lock.yaml";
  const runLock = (args: string[], env: Record<string, string>) =>
    lily(["run", lock, ...args], { cwd: dir, env: { XDG_CACHE_HOME: `${dir}/.xdg`, ...env } });
  try {
    assertEquals((await lily(["compose", "flow.petal"], { cwd: dir })).code, 0);
    const recorded = await runLock(["--cassettes", "once"], { CI: "false", LILY_SECRET_KEY: KEY });
    assertEquals(recorded.code, 0, recorded.stderr + recorded.stdout);
    assertEquals(server.hits[0].json!.model, "m", "the alias is sent");
    assertMatch(await Deno.readTextFile(`${dir}/${lock}`), /: m-2026-01-01\n/, "the pin");
    // A second live-mode run with the pin in place still sends the alias (the cassette holds it).
    const again = await runLock(["--cassettes", "once"], { CI: "false", LILY_SECRET_KEY: KEY });
    assertEquals(again.code, 0, again.stderr + again.stdout);
    await server.close();
    const hits = server.hits.length;
    const replays: string[][] = [
      ["--cassettes", "none"],
      ["--cassettes", "none"],
      ["--cassettes", "none", "--locked"],
    ];
    for (const args of replays) {
      const replayed = await runLock(args, { CI: "false", LILY_SECRET_KEY: KEY });
      assertEquals(replayed.code, 0, `${args.join(" ")}: ${replayed.stderr}${replayed.stdout}`);
      assertEquals(latestManifest(dir).steps.rate.outputs.json.value, { score: 5 });
    }
    assertEquals(server.hits.length, hits, "nothing reached the server");
  } finally {
    await server.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llm --cassettes: a CI replay needs no API key (a secret only llm api_key inputs use)", async () => {
  const server = startLlmServer("openai", { reply: () => '{"score": 3}' });
  const dir = await tempProject({ "flow.petal": flow(server.baseUrl, "Rate the play.") });
  try {
    const recorded = await run(dir, ["--cassettes", "once"], { CI: "false", LILY_SECRET_KEY: KEY });
    assertEquals(recorded.code, 0, recorded.stderr + recorded.stdout);
    await server.close();
    // No LILY_SECRET_KEY at all, as on a CI runner without the provider's key.
    const replayed = await run(dir, [], { CI: "true" });
    assertEquals(replayed.code, 0, replayed.stderr + replayed.stdout);
    assertEquals(latestManifest(dir).steps.rate.outputs.json.value, { score: 3 });
    // Without a cassette mode the key is still required before anything runs.
    const live = await run(dir, [], { CI: "false" });
    assertEquals(live.code, 2, live.stderr + live.stdout);
    assertMatch(live.stderr + live.stdout, /LILY-E0051/);
  } finally {
    await server.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llm --cassettes: a broken cassette fails the step naming the file's line and column (E0742, E0743)", async () => {
  const server = startLlmServer("openai", { reply: () => '{"score": 2}' });
  const dir = await tempProject({ "flow.petal": flow(server.baseUrl, "Rate the poem.") });
  const tape = `${dir}/cassettes/tapes/rate.yaml`;
  try {
    const recorded = await run(dir, ["--cassettes", "once"], { CI: "false", LILY_SECRET_KEY: KEY });
    assertEquals(recorded.code, 0, recorded.stderr + recorded.stdout);
    await server.close();
    const good = await Deno.readTextFile(tape);
    const lines = good.split("\n");
    // An unknown key first in the first interaction: `  - bogus: 1`, then `    request:`.
    const at = lines.findIndex((l) => /^\s+- request:/.test(l));
    assert(at > 0, good);
    const dash = lines[at].indexOf("-");
    lines.splice(at, 1, `${" ".repeat(dash)}- bogus: 1`, `${" ".repeat(dash + 2)}request:`);
    await Deno.writeTextFile(tape, lines.join("\n"));
    const bogus = await run(dir, ["--cassettes", "none"], { CI: "false" });
    assertEquals(bogus.code, 1, bogus.stderr + bogus.stdout);
    const where = new RegExp(
      `LILY-E0742: cassettes/tapes/rate\\.yaml:${at + 1}:${dash + 3}: not a valid cassette`,
    );
    assertMatch(bogus.stdout + bogus.stderr, where);
    assertMatch(latestManifest(dir).steps.rate.error ?? "", where);

    const version = good.split("\n").findIndex((l) => l.startsWith("lily_cassette:"));
    assert(version >= 0, good);
    await Deno.writeTextFile(tape, good.replace(/^lily_cassette: .*$/m, "lily_cassette: 9"));
    const newer = await run(dir, ["--cassettes", "none"], { CI: "false" });
    assertEquals(newer.code, 1, newer.stderr + newer.stdout);
    assertMatch(
      newer.stdout + newer.stderr,
      new RegExp(`LILY-E0743: cassettes/tapes/rate\\.yaml:${version + 1}:16: cassette format`),
    );
  } finally {
    await server.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
