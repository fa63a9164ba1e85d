// Attack: a cassette must never hold an API key or any form of a secret. The client sends the
// key in every credential header and in the URL, the prompt carries a second secret raw,
// base64 (alone and inside a longer base64 text), URL-encoded and JSON-escaped, and the server
// echoes all of it back (JSON body, SSE stream, response headers, a cookie). The file is then
// searched for each form, computed here independently and by the masker's own list.
import { assert, assertEquals } from "../_assert.ts";
import { cassettePath, openCassette } from "../../src/llm/cassette.ts";
import { secretForms } from "../../src/sandbox/mask.ts";
import { startChatServer } from "../llm/_cassette_server.ts";

const KEY = "sk-proj-Att4ckK3yQ9zX1v7";
// Needs JSON escaping, URL encoding, and has a non-ASCII character.
const PASSPHRASE = 'p4ss"wörd\\with/slash&amp=1';

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

function formsOf(secret: string): string[] {
  return [
    secret,
    base64(secret).replace(/=+$/, ""),
    base64(secret).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, ""),
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret)).slice(1, -1),
    ...secretForms(secret),
  ];
}

Deno.test("a cassette holds no form of the API key or of any secret", async () => {
  const server = await startChatServer({ key: KEY });
  const dir = await Deno.makeTempDir({ prefix: "lily-cassette-secrets-" });
  try {
    const path = cassettePath(dir, "flow", "leaky");
    const cassette = await openCassette(fetch, {
      mode: "once",
      path,
      secrets: [KEY, PASSPHRASE],
    });
    const prompt = [
      `raw ${PASSPHRASE}`,
      `b64 ${base64(PASSPHRASE)}`,
      `basic ${base64(`user:${PASSPHRASE}`)}`,
      `url ${encodeURIComponent(PASSPHRASE)}`,
      `json ${JSON.stringify(PASSPHRASE)}`,
      `key ${KEY} ${base64(KEY)}`,
    ].join("\n");
    for (const stream of [false, true]) {
      const response = await cassette.fetch(
        `${server.baseUrl}/chat/completions?api_key=${encodeURIComponent(KEY)}`,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${KEY}`,
            "x-api-key": KEY,
            "api-key": KEY,
            cookie: `session=${KEY}`,
            "proxy-authorization": `Basic ${base64(`u:${KEY}`)}`,
            "x-custom-token": KEY,
          },
          body: JSON.stringify({
            model: "test-model",
            stream,
            messages: [{ role: "user", content: prompt }],
          }),
        },
      );
      assertEquals(response.status, 200);
      const text = await response.text();
      // The client itself got the real answer (the secrets are masked only in the file).
      assert(text.includes(KEY), "the live response was altered");
    }
    await cassette.save();
    const written = await Deno.readTextFile(path);
    assert(written.includes("***"), "nothing was masked: the test sent no secret?");
    for (const secret of [KEY, PASSPHRASE]) {
      for (const form of new Set(formsOf(secret))) {
        assert(!written.includes(form), `the cassette holds the form \`${form}\` of a secret`);
      }
    }
    for (const header of ["authorization", "x-api-key", "api-key", "cookie", "x-custom-token"]) {
      assert(!new RegExp(`^\\s*${header}:`, "mi").test(written), `header ${header} recorded`);
    }
    // The masked cassette still replays (the key is not needed to match).
    await server.stop();
    const replay = await openCassette(fetch, { mode: "none", path, secrets: [KEY, PASSPHRASE] });
    const again = await replay.fetch(
      `${server.baseUrl}/chat/completions?api_key=${encodeURIComponent(KEY)}`,
      {
        method: "POST",
        body: JSON.stringify({
          model: "test-model",
          stream: false,
          messages: [{ role: "user", content: prompt }],
        }),
      },
    );
    assertEquals(again.status, 200);
  } finally {
    await server.stop().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
