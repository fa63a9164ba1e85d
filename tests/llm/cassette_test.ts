// Cassettes (src/llm/cassette.ts) against a real OpenAI chat-completions server on 127.0.0.1:
// each record mode, replay with the server stopped, SSE replayed chunk by chunk, matching
// (canonical JSON, never headers, repeats in order), stable bytes, positioned errors.
import { assert, assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import {
  type CassetteMode,
  cassettePath,
  cassetteShelf,
  openCassette,
} from "../../src/llm/cassette.ts";
import { LilyError } from "../../src/errors.ts";
import { chatBody, type ChatServer, startChatServer } from "./_cassette_server.ts";

const KEY = "sk-test-cassette-0123456789abcdef";

/** Sends a chat request through `f`; returns the answer's text (an SSE stream joined). */
async function ask(
  f: typeof fetch,
  baseUrl: string,
  prompt: string,
  options: { stream?: boolean; key?: string; body?: string } = {},
): Promise<string> {
  const response = await f(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${options.key ?? KEY}`,
    },
    body: options.body ?? JSON.stringify(chatBody(prompt, options.stream)),
  });
  assertEquals(response.status, 200, await response.clone().text());
  if (!options.stream) {
    const json = await response.json() as { choices: { message: { content: string } }[] };
    return json.choices[0].message.content;
  }
  let text = "";
  for (const line of (await response.text()).split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] };
    text += chunk.choices[0].delta.content ?? "";
  }
  return text;
}

async function withServer(fn: (server: ChatServer, dir: string) => Promise<void>) {
  const server = await startChatServer({ key: KEY });
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-" });
  try {
    await fn(server, dir);
  } finally {
    await server.stop().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

function open(path: string, mode: CassetteMode) {
  return openCassette(fetch, { mode, path, secrets: [KEY] });
}

async function missing(promise: Promise<unknown>): Promise<LilyError> {
  const error = await assertRejects(() => promise);
  assert(error instanceof LilyError, String(error));
  return error;
}

Deno.test("once: records when there is no cassette, then replays with the server stopped", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "summarize");
    const first = await open(path, "once");
    assertEquals(await ask(first.fetch, server.baseUrl, "hello"), "echo 1: hello");
    assertEquals(await ask(first.fetch, server.baseUrl, "world"), "echo 2: world");
    await first.save();
    assertEquals(server.hits, 2);
    await server.stop();
    const again = await open(path, "once");
    assertEquals(await ask(again.fetch, server.baseUrl, "hello"), "echo 1: hello");
    assertEquals(await ask(again.fetch, server.baseUrl, "world"), "echo 2: world");
    // A cassette exists: a new request fails instead of reaching the network.
    const error = await missing(ask(again.fetch, server.baseUrl, "new prompt"));
    assertEquals(error.code, "LILY-E0741");
    const before = await Deno.readTextFile(path);
    await again.save();
    assertEquals(await Deno.readTextFile(path), before);
  });
});

Deno.test("none: replays only; a new request fails naming method, URL and a body preview", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "classify");
    const recorder = await open(path, "once");
    await ask(recorder.fetch, server.baseUrl, "known prompt");
    await recorder.save();
    await server.stop();
    const replay = await open(path, "none");
    assertEquals(await ask(replay.fetch, server.baseUrl, "known prompt"), "echo 1: known prompt");
    const error = await missing(ask(replay.fetch, server.baseUrl, "a brand new prompt"));
    assertEquals(error.code, "LILY-E0741");
    assertMatch(error.message, /--cassettes none/);
    assertMatch(error.message, new RegExp(`POST ${server.baseUrl}/chat/completions`));
    const notes = error.notes.map((n) => n.message).join("\n");
    assertMatch(notes, /sha256:[0-9a-f]{12}/);
    assertMatch(notes, /messages\[1\]\.content/);
    assertMatch(notes, /"known prompt"/);
    assertMatch(notes, /"a brand new prompt"/);
    assertMatch(notes, /has 1 record\(s\) of POST/);
    assertMatch(error.hint ?? "", /new_episodes/);
    // A replay-only run of a step with no cassette at all says so.
    const none = await open(cassettePath(dir, "flow", "other"), "none");
    const absent = await missing(ask(none.fetch, server.baseUrl, "known prompt"));
    assertMatch(absent.message, /does not exist/);
  });
});

Deno.test("new_episodes: replays what is recorded, records and appends what is not", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "step");
    const first = await open(path, "new_episodes");
    await ask(first.fetch, server.baseUrl, "one");
    await first.save();
    const old = await Deno.readTextFile(path);
    const second = await open(path, "new_episodes");
    assertEquals(await ask(second.fetch, server.baseUrl, "one"), "echo 1: one");
    assertEquals(server.hits, 1);
    assertEquals(await ask(second.fetch, server.baseUrl, "two"), "echo 2: two");
    assertEquals(server.hits, 2);
    await second.save();
    const text = await Deno.readTextFile(path);
    // The old entry is kept as it was; the new one follows it.
    assert(text.startsWith(old.trimEnd().split("\n").slice(0, -1).join("\n")));
    assert(text.indexOf("echo 1: one") < text.indexOf("echo 2: two"));
    await server.stop();
    const replay = await open(path, "none");
    assertEquals(await ask(replay.fetch, server.baseUrl, "two"), "echo 2: two");
    assertEquals(await ask(replay.fetch, server.baseUrl, "one"), "echo 1: one");
  });
});

Deno.test("all: calls the server every time and the cassette becomes this run's answers", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "step");
    const first = await open(path, "once");
    await ask(first.fetch, server.baseUrl, "stale prompt");
    await ask(first.fetch, server.baseUrl, "prompt");
    await first.save();
    server.setPrefix("fresh");
    const again = await open(path, "all");
    assertEquals(await ask(again.fetch, server.baseUrl, "prompt"), "fresh 3: prompt");
    assertEquals(server.hits, 3);
    await again.save();
    const text = await Deno.readTextFile(path);
    assert(!text.includes("stale prompt"), text);
    assert(!text.includes("echo 2"), text);
    await server.stop();
    const replay = await open(path, "none");
    assertEquals(await ask(replay.fetch, server.baseUrl, "prompt"), "fresh 3: prompt");
  });
});

Deno.test("all: a cassette that is not valid is replaced, not read", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "step");
    await Deno.mkdir(`${dir}/cassettes/flow`, { recursive: true });
    await Deno.writeTextFile(path, "lily_cassette: 1\ninteractions: [\n");
    const cassette = await open(path, "all");
    await ask(cassette.fetch, server.baseUrl, "x");
    await cassette.save();
    await server.stop();
    assertEquals(await ask((await open(path, "none")).fetch, server.baseUrl, "x"), "echo 1: x");
  });
});

Deno.test("identical requests replay their records in order, each once", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "repeat");
    const recorder = await open(path, "once");
    assertEquals(await ask(recorder.fetch, server.baseUrl, "same"), "echo 1: same");
    assertEquals(await ask(recorder.fetch, server.baseUrl, "same"), "echo 2: same");
    await recorder.save();
    await server.stop();
    const replay = await open(path, "none");
    assertEquals(await ask(replay.fetch, server.baseUrl, "same"), "echo 1: same");
    assertEquals(await ask(replay.fetch, server.baseUrl, "same"), "echo 2: same");
    const third = await missing(ask(replay.fetch, server.baseUrl, "same"));
    assertMatch(third.notes.map((n) => n.message).join("\n"), /replayed already/);
  });
});

Deno.test("matching: JSON bodies canonically, never the auth header; a changed body misses", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "match");
    const recorder = await open(path, "once");
    await ask(recorder.fetch, server.baseUrl, "canonical");
    await recorder.save();
    await server.stop();
    const replay = await open(path, "none");
    // Same JSON, keys reversed and indented, sent with another key.
    const body = chatBody("canonical");
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2);
    assertEquals(
      await ask(replay.fetch, server.baseUrl, "", { body: reordered, key: "sk-other-key-9999" }),
      "echo 1: canonical",
    );
    const changed = JSON.stringify({ ...body, temperature: 0.5 });
    assertEquals(
      (await missing(ask(replay.fetch, server.baseUrl, "", { body: changed }))).code,
      "LILY-E0741",
    );
  });
});

Deno.test("an SSE stream is recorded event by event and replays as a stream, chunked so", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "stream");
    const recorder = await open(path, "once");
    // What the server sends, read through the recorder (the stream reaches the caller live).
    const live = await recorder.fetch(`${server.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify(chatBody("stream these words", true)),
    });
    const liveText = await live.text();
    await recorder.save();
    await server.stop();
    const text = await Deno.readTextFile(path);
    assertMatch(text, /events:\n/);
    const replay = await open(path, "none");
    const response = await replay.fetch(`${server.baseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chatBody("stream these words", true)),
    });
    assertMatch(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) chunks.push(decoder.decode(chunk));
    assertEquals(chunks.join(""), liveText);
    // One chunk per event: role, one per word of "echo 1: stream these words", finish, [DONE].
    const events = liveText.split("\n\n").filter(Boolean);
    assertEquals(events.length, 8);
    assertEquals(chunks, events.map((e) => `${e}\n\n`));
    // And the parsed answer is the one recorded.
    const replay2 = await open(path, "none");
    assertEquals(
      await ask(replay2.fetch, server.baseUrl, "stream these words", { stream: true }),
      "echo 1: stream these words",
    );
  });
});

Deno.test("the same answers recorded twice give the same cassette bytes", async () => {
  await withServer(async (server, dir) => {
    // The second recording sends the same JSON with its keys reversed and indented, with
    // another key; the server varies its request id, cookie and timing headers.
    const record = async (path: string, options: { reorder: boolean; key: string }) => {
      server.resetCount();
      const cassette = await openCassette(fetch, { mode: "all", path, secrets: [options.key] });
      const body = (prompt: string, stream = false) => {
        const b = chatBody(prompt, stream);
        return options.reorder
          ? JSON.stringify(Object.fromEntries(Object.entries(b).reverse()), null, 2)
          : JSON.stringify(b);
      };
      const key = options.key;
      await ask(cassette.fetch, server.baseUrl, "", { body: body("a"), key });
      await ask(cassette.fetch, server.baseUrl, "", { body: body("b", true), key, stream: true });
      await cassette.save();
      return await Deno.readTextFile(path);
    };
    const first = await record(`${dir}/a.yaml`, { reorder: false, key: KEY });
    const second = await record(`${dir}/b.yaml`, { reorder: true, key: KEY });
    assertEquals(second, first);
    assert(!/x-request-id|set-cookie|date:|processing-ms|authorization/i.test(first), first);
    assertMatch(first, /^lily_cassette: 1\ninteractions:\n {2}- request:\n/);
  });
});

Deno.test("a cassette that is not valid is a positioned error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-" });
  try {
    const path = `${dir}/broken.yaml`;
    const cases: [string, string, number, number][] = [
      ["lily_cassette: 1\ninteractions:\n  - request: {method: POST\n", "LILY-E0742", 4, 0],
      [
        "lily_cassette: 1\ninteractions:\n  - request:\n      method: POST\n      url: http://x/\n    response:\n      status: nope\n",
        "LILY-E0742",
        7,
        15,
      ],
      [
        "lily_cassette: 1\ninteractions:\n  - request:\n      method: POST\n      url: http://x/\n      extra: 1\n    response:\n      status: 200\n",
        "LILY-E0742",
        6,
        7,
      ],
      ["lily_cassette: 9\ninteractions: []\n", "LILY-E0743", 1, 16],
      ["- just a list\n", "LILY-E0742", 1, 1],
    ];
    for (const [text, code, line, col] of cases) {
      await Deno.writeTextFile(path, text);
      const error = await missing(open(path, "once"));
      assertEquals(error.code, code, text);
      assertEquals(error.span?.file, path);
      assertEquals(error.span?.line, line, `${text}: ${error.message}`);
      if (col) assertEquals(error.span?.col, col, `${text}: ${error.message}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cassettePath: one file per workflow and step under cassettes/, never outside it", () => {
  assertEquals(cassettePath("/p", "flow", "classify"), "/p/cassettes/flow/classify.yaml");
  assertEquals(cassettePath("/p/", "flow", "sum@3"), "/p/cassettes/flow/sum@3.yaml");
  assertEquals(cassettePath("/p", "flow", "inc.inner"), "/p/cassettes/flow/inc.inner.yaml");
  assertEquals(cassettePath("/p", "../up", ".."), "/p/cassettes/%2E.%2Fup/%2E..yaml");
  assertEquals(cassettePath("/p", "a/b", "a_b"), "/p/cassettes/a%2Fb/a_b.yaml");
  assertEquals(cassettePath("/p", "é", "a b"), "/p/cassettes/%C3%A9/a%20b.yaml");
  assertEquals(cassettePath("/p", "", "x"), "/p/cassettes/%00/x.yaml");
});

Deno.test("a replay without the key (as in CI) matches a request that sent it in headers or the URL", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "keyless");
    const url = `${server.baseUrl}/chat/completions?api-version=2024&api_key=${KEY}`;
    const recorder = await open(path, "once");
    const live = await recorder.fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "x-api-key": KEY },
      body: JSON.stringify(chatBody("keyless")),
    });
    assertEquals(live.status, 200);
    await live.text();
    await recorder.save();
    assert(!(await Deno.readTextFile(path)).includes(KEY));
    await server.stop();
    const replay = await openCassette(fetch, { mode: "none", path, secrets: [] });
    const response = await replay.fetch(url.replace(KEY, "placeholder"), {
      method: "POST",
      body: JSON.stringify(chatBody("keyless")),
    });
    assertEquals(response.status, 200);
    assertMatch(await response.text(), /echo 1: keyless/);
  });
});

Deno.test("binary, plain-text and empty bodies replay byte for byte, with their status", async () => {
  const bytes = new Uint8Array(300).map((_, i) => (i * 37) & 0xff);
  const { promise: listening, resolve } = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) },
    async (request) => {
      const sent = new Uint8Array(await request.arrayBuffer());
      const path = new URL(request.url).pathname;
      if (path === "/bytes") {
        return new Response(new Uint8Array([...sent].reverse()), {
          headers: { "content-type": "application/octet-stream" },
        });
      }
      if (path === "/text") return new Response(`got ${new TextDecoder().decode(sent)}\n`);
      return new Response(null, { status: 204 });
    },
  );
  const base = `http://127.0.0.1:${await listening}`;
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-" });
  try {
    const path = `${dir}/bodies.yaml`;
    const exchange = async (f: typeof fetch) => {
      const binary = await f(`${base}/bytes`, { method: "PUT", body: bytes });
      const text = await f(`${base}/text`, { method: "POST", body: "plain text\n  indented" });
      const empty = await f(`${base}/empty`, { method: "DELETE" });
      return {
        binary: [...new Uint8Array(await binary.arrayBuffer())],
        text: await text.text(),
        empty: [empty.status, await empty.text()],
      };
    };
    const recorder = await openCassette(fetch, { mode: "once", path, secrets: [] });
    const live = await exchange(recorder.fetch);
    await recorder.save();
    assertEquals(live.binary, [...bytes].reverse());
    await server.shutdown();
    const file = await Deno.readTextFile(path);
    assertMatch(file, /body_base64:/);
    const replay = await openCassette(fetch, { mode: "none", path, secrets: [] });
    assertEquals(await exchange(replay.fetch), live);
  } finally {
    await server.shutdown().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a JSON-lines stream (Ollama) replays line by line, as it was sent", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "ollama");
    const url = server.baseUrl.replace(/\/v1$/, "/api/chat");
    const body = JSON.stringify({
      model: "llama",
      messages: [{ role: "user", content: "hi there" }],
    });
    const headers = { authorization: `Bearer ${KEY}` };
    const recorder = await open(path, "once");
    const live = await (await recorder.fetch(url, { method: "POST", headers, body })).text();
    await recorder.save();
    await server.stop();
    const replay = await open(path, "none");
    const response = await replay.fetch(url, { method: "POST", body });
    assertEquals(response.headers.get("content-type"), "application/x-ndjson");
    const chunks: string[] = [];
    for await (const chunk of response.body!) chunks.push(new TextDecoder().decode(chunk));
    assertEquals(chunks.join(""), live);
    assertEquals(chunks, live.split("\n").filter(Boolean).map((line) => `${line}\n`));
    assertEquals(chunks.length, 5); // "echo ", "1: ", "hi ", "there", done
  });
});

Deno.test("a shelf keeps one session per file: a step that opens its cassette per call records all its calls", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "retrying");
    const options = { mode: "once" as const, path, secrets: [KEY] };
    // One run: each call opens the step's cassette again (as a retry with the validation
    // error does), and saves after it.
    const run = cassetteShelf();
    for (const prompt of ["first", "first", "corrected"]) {
      const cassette = await run.open(fetch, options);
      await ask(cassette.fetch, server.baseUrl, prompt);
      await cassette.save();
    }
    assertEquals(server.hits, 3);
    await server.stop();
    // The next run replays them in turn, identical requests included; one more is new.
    const next = cassetteShelf();
    const answers = [];
    for (const prompt of ["first", "first", "corrected"]) {
      const cassette = await next.open(fetch, options);
      answers.push(await ask(cassette.fetch, server.baseUrl, prompt));
      await cassette.save();
    }
    assertEquals(answers, ["echo 1: first", "echo 2: first", "echo 3: corrected"]);
    const extra = await next.open(fetch, options);
    assertEquals((await missing(ask(extra.fetch, server.baseUrl, "first"))).code, "LILY-E0741");
    // Without a shelf, each open is a session of its own: the same request replays the first
    // record again.
    const alone = await open(path, "none");
    assertEquals(await ask(alone.fetch, server.baseUrl, "first"), "echo 1: first");
  });
});

Deno.test("429 and 5xx answers reach the caller but are not recorded: a replay gets the retry's answer", async () => {
  await withServer(async (server, dir) => {
    const path = cassettePath(dir, "flow", "flaky");
    server.failNext(429, 503);
    const cassette = await open(path, "once");
    const send = () =>
      cassette.fetch(`${server.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}` },
        body: JSON.stringify(chatBody("flaky")),
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const response = await send();
      statuses.push(response.status);
      await response.body?.cancel();
    }
    assertEquals(statuses, [429, 503, 200]);
    await cassette.save();
    const text = await Deno.readTextFile(path);
    assert(!/status: (429|503)/.test(text), text);
    await server.stop();
    const replay = await open(path, "none");
    assertEquals(await ask(replay.fetch, server.baseUrl, "flaky"), "echo 1: flaky");
  });
});
