// `uses: tool` + `adapter: http` through the real CLI, against local HTTP servers started by the
// tests (Deno.serve on 127.0.0.1, port 0) that record every request they get: JSON in and out,
// a body from a file input and to a file output, expected statuses, 429 storms with
// Retry-After, 5xx retries exhausted, denied hosts (a URL from an input, a redirect) that are
// never contacted, a timeout, secret headers masked in every byte under .lily/, cache hits and
// misses, and a dependant reading the response body through its inputs.
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, skipUnless, tempProject } from "../_tools.ts";
import { filesUnder, latestEvents, latestManifest } from "../run/_run.ts";

/** A request a test server received. */
interface Hit {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A local server that records its hits. */
interface Server {
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

function serve(handler: (hit: Hit, n: number) => Response | Promise<Response>): Server {
  const hits: Hit[] = [];
  const controller = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    async (request) => {
      const url = new URL(request.url);
      const hit: Hit = {
        method: request.method,
        path: url.pathname,
        query: url.search,
        headers: Object.fromEntries(request.headers),
        body: new Uint8Array(await request.arrayBuffer()),
      };
      hits.push(hit);
      return await handler(hit, hits.length);
    },
  );
  return {
    port: server.addr.port,
    hits,
    close: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

function flow(steps: string, params = ""): string {
  return `petal: "1"\nname: web\n${params}steps:\n${steps}`;
}

/** A project with `flow.petal`; `fn` gets its directory, which is removed afterwards. */
async function withProject(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await tempProject(files);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function runFlow(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return lily(["run", "flow.petal", ...args], {
    cwd: dir,
    env: { XDG_CACHE_HOME: `${dir}/.xdg`, ...env },
  });
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("http: a POST with a JSON body and query; status, headers and JSON body to outputs; a dependant reads the body", async () => {
  const server = serve((hit) =>
    Response.json({ echo: JSON.parse(text(hit.body)), q: hit.query }, {
      status: 201,
      headers: { "x-request-id": "r-1" },
    })
  );
  try {
    await withProject({
      "flow.petal": flow(`  - id: post
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    with:
      method: post
      url: http://127.0.0.1:${server.port}/items
      query: {q: hello, tag: [a, b]}
      headers: {X-Client: lily-test}
      body: {name: widget, sizes: [1, 2]}
      expect: [201]
    outputs:
      status: {type: int}
      headers: {type: json}
      body: {type: json}
  - id: use
    uses: shell
    needs: [post]
    inputs:
      doc: {from: steps.post.outputs.body}
      code: {from: steps.post.outputs.status}
    with: {run: 'echo "got=$LILY_INPUT_CODE $LILY_INPUT_DOC" >> "$LILY_OUTPUT"'}
    outputs: {got: {type: str}}
`),
    }, async (dir) => {
      const out = await runFlow(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.hits.length, 1);
      const hit = server.hits[0];
      assertEquals(hit.method, "POST");
      assertEquals(hit.path, "/items");
      assertEquals(hit.query, "?q=hello&tag=a&tag=b");
      assertEquals(hit.headers["x-client"], "lily-test");
      assertEquals(hit.headers["content-type"], "application/json");
      assertMatch(hit.headers["user-agent"], /^lily\//);
      assertEquals(JSON.parse(text(hit.body)), { name: "widget", sizes: [1, 2] });
      const m = latestManifest(dir);
      const outputs = m.steps.post.outputs;
      assertEquals(outputs.status.value, 201);
      assertEquals(outputs.headers.value["x-request-id"], "r-1");
      assertEquals(outputs.body.value, {
        echo: { name: "widget", sizes: [1, 2] },
        q: "?q=hello&tag=a&tag=b",
      });
      assertEquals(
        m.steps.use.outputs.got.value,
        `201 ${
          JSON.stringify({ echo: { name: "widget", sizes: [1, 2] }, q: "?q=hello&tag=a&tag=b" })
        }`,
      );
      assertEquals(m.steps.post.enforcement.adapter, "http");
      // No program ran: the record says what held instead of the OS isolation's fields.
      assertMatch(m.steps.post.enforcement.mechanism, /http adapter: the host list is checked/);
      assertEquals(m.steps.post.enforcement.network, `only 127.0.0.1:${server.port}`);
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: a body from a file input and from a json param; the response body to a file output", async () => {
  const payload = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
  const server = serve((hit) =>
    new Response(hit.path === "/upload" ? hit.body.slice().reverse() : "ok", {
      headers: { "content-type": "application/octet-stream" },
    })
  );
  try {
    await withProject({
      "flow.petal": flow(
        `  - id: upload
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {blob: {path: data/in.bin, type: file}}
    with:
      method: PUT
      url: http://127.0.0.1:${server.port}/upload
      body_from: blob
    outputs:
      body: {type: file, path: out/reversed.bin}
  - id: config
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {cfg: {from: params.cfg, type: json}, who: {from: params.who}}
    with:
      method: POST
      url: http://127.0.0.1:${server.port}/config
      body_from: cfg
      query_from: {user: who}
    outputs:
      body: {type: str}
`,
        `params:\n  cfg: {type: json, default: {depth: 3}}\n  who: {type: str, default: ana}\n`,
      ),
    }, async (dir) => {
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeFile(`${dir}/data/in.bin`, payload);
      const out = await runFlow(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const upload = server.hits.find((h) => h.path === "/upload")!;
      assertEquals(upload.method, "PUT");
      assertEquals(upload.headers["content-type"], "application/octet-stream");
      assertEquals(upload.body, payload);
      const saved = await Deno.readFile(`${dir}/out/reversed.bin`);
      assertEquals(saved, payload.slice().reverse());
      const m = latestManifest(dir);
      assertEquals(m.steps.upload.outputs.body.path, "out/reversed.bin");
      assertEquals(m.steps.upload.outputs.body.size, payload.length);
      const config = server.hits.find((h) => h.path === "/config")!;
      assertEquals(config.headers["content-type"], "application/json");
      assertEquals(JSON.parse(text(config.body)), { depth: 3 });
      assertEquals(config.query, "?user=ana");
      assertEquals(m.steps.config.outputs.body.value, "ok");
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: an unexpected 404 fails once without retries; `expect` makes it a success", async () => {
  const server = serve(() => new Response("no such item", { status: 404 }));
  try {
    await withProject({
      "flow.petal": flow(`  - id: strict
    uses: tool
    adapter: http
    retries: {max: 3, backoff: 10ms}
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/strict"}
  - id: lenient
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/lenient", expect: [2xx, 404]}
    outputs: {status: {type: int}, body: {type: str}}
`),
    }, async (dir) => {
      const out = await runFlow(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout);
      assertEquals(server.hits.filter((h) => h.path === "/strict").length, 1);
      const m = latestManifest(dir);
      assertEquals(m.steps.strict.status, "failed");
      assertEquals(m.steps.strict.attempts, 1);
      assertMatch(
        m.steps.strict.error,
        /answered 404 Not Found, not an expected status: no such item/,
      );
      assertEquals(m.steps.lenient.status, "succeeded");
      assertEquals(m.steps.lenient.outputs.status.value, 404);
      assertEquals(m.steps.lenient.outputs.body.value, "no such item");
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: a 429 storm is retried after each Retry-After (seconds, HTTP date, capped), then succeeds", async () => {
  // Hits 1–3 are refused with Retry-After in each form; the 4th succeeds.
  const server = serve((_, n) => {
    const after = [
      "1",
      new Date(Date.now() + 2000).toUTCString(),
      "3600", // capped at the step's max_backoff (2s)
    ][n - 1];
    return after === undefined
      ? Response.json({ done: n })
      : new Response("slow down", { status: 429, headers: { "retry-after": after } });
  });
  try {
    await withProject({
      "flow.petal": flow(`  - id: storm
    uses: tool
    adapter: http
    retries: {max: 5, backoff: 100ms, max_backoff: 2s, jitter: false}
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/busy"}
    outputs: {body: {type: json}}
`),
    }, async (dir) => {
      const out = await runFlow(dir);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.hits.length, 4);
      const m = latestManifest(dir);
      assertEquals(m.steps.storm.attempts, 4);
      assertEquals(m.steps.storm.outputs.body.value, { done: 4 });
      const delays = latestEvents(dir).filter((e) => e.type === "step.retry").map((e) =>
        e.delay_ms as number
      );
      assertEquals(delays.length, 3);
      // Without Retry-After the backoff would be 100, 200, 400 ms: each delay is the header's.
      assertEquals(delays[0], 1000);
      assert(delays[1] >= 0 && delays[1] <= 2000, `HTTP-date delay ${delays[1]}`);
      assertEquals(delays[2], 2000);
      for (const e of latestEvents(dir).filter((e) => e.type === "step.retry")) {
        assertMatch(String(e.reason), /answered 429/);
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: 5xx answers are retried until the retries are exhausted, then the step fails", async () => {
  const server = serve(() => new Response("down", { status: 503 }));
  try {
    await withProject({
      "flow.petal": flow(`  - id: down
    uses: tool
    adapter: http
    retries: {max: 2, backoff: 10ms}
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/"}
`),
    }, async (dir) => {
      const out = await runFlow(dir);
      assertEquals(out.code, 1, out.stdout);
      assertEquals(server.hits.length, 3);
      const m = latestManifest(dir);
      assertEquals(m.steps.down.attempts, 3);
      assertMatch(m.steps.down.error, /answered 503 Service Unavailable, not an expected status/);
      assertMatch(out.stderr + out.stdout, /LILY-E0931|503/);
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: a request that cannot be sent (connection refused) is retried, then fails with the reason", async () => {
  // A port that was just listening and is closed now: nothing answers there.
  const closed = serve(() => new Response("never"));
  const port = closed.port;
  await closed.close();
  await withProject({
    "flow.petal": flow(`  - id: refused
    uses: tool
    adapter: http
    retries: {max: 1, backoff: 10ms}
    resources: {network: ["127.0.0.1:${port}"]}
    with: {url: "http://127.0.0.1:${port}/"}
`),
  }, async (dir) => {
    const out = await runFlow(dir);
    assertEquals(out.code, 1, out.stdout);
    const m = latestManifest(dir);
    assertEquals(m.steps.refused.attempts, 2);
    assertMatch(m.steps.refused.error, /GET http:\/\/127\.0\.0\.1:\d+\/ failed: .*refused/i);
  });
});

Deno.test("http: a URL from an input to an unlisted host is denied (E0824) and never contacted", async () => {
  const listed = serve(() => new Response("listed"));
  const other = serve(() => new Response("must not be reached"));
  try {
    await withProject({
      "flow.petal": flow(
        `  - id: fetch
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${listed.port}"]}
    inputs: {target: {from: params.target}}
    with: {url_from: target}
    outputs: {body: {type: str}}
`,
        `params:\n  target: {type: str, default: "http://127.0.0.1:${listed.port}/ok"}\n`,
      ),
    }, async (dir) => {
      const ok = await runFlow(dir);
      assertEquals(ok.code, 0, ok.stderr + ok.stdout);
      assertEquals(latestManifest(dir).steps.fetch.outputs.body.value, "listed");
      const denied = await runFlow(dir, ["-p", `target=http://127.0.0.1:${other.port}/x`]);
      assertEquals(denied.code, 1, denied.stdout);
      assertEquals(other.hits.length, 0);
      const m = latestManifest(dir);
      assertEquals(m.steps.fetch.denied.code, "LILY-E0824");
      assertEquals(m.steps.fetch.denied.kind, "net");
      assertEquals(m.steps.fetch.denied.target, `127.0.0.1:${other.port}`);
      assertMatch(m.steps.fetch.denied.hint, /resources\.network/);
      assertMatch(denied.stderr + denied.stdout, /LILY-E0824/);
    });
  } finally {
    await listed.close();
    await other.close();
  }
});

Deno.test("http: a redirect to an unlisted host is denied before it is contacted; to a listed one it is followed without the secret header", async () => {
  const other = serve((hit) => Response.json({ auth: hit.headers.authorization ?? null }));
  const first = serve((hit) =>
    hit.path === "/away"
      ? new Response(null, {
        status: 302,
        headers: { location: `http://127.0.0.1:${other.port}/landed` },
      })
      : hit.path === "/home"
      ? new Response(null, { status: 307, headers: { location: "/final" } })
      : Response.json({ method: hit.method, body: text(hit.body) })
  );
  const steps = (network: string) =>
    flow(
      `  - id: away
    uses: tool
    adapter: http
    resources: {network: [${network}]}
    inputs: {tok: {from: params.token}}
    with:
      url: http://127.0.0.1:${first.port}/away
      headers_from: {Authorization: tok}
    outputs: {body: {type: json}}
  - id: home
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${first.port}"]}
    with: {method: PUT, url: "http://127.0.0.1:${first.port}/home", body: [1]}
    outputs: {body: {type: json}}
`,
      `params:\n  token: {type: secret}\n`,
    );
  try {
    await withProject({ "flow.petal": steps(`"127.0.0.1:${first.port}"`) }, async (dir) => {
      const out = await runFlow(dir, ["--continue", "always"], {
        LILY_SECRET_TOKEN: "redirect-secret-1",
      });
      assertEquals(out.code, 1, out.stdout);
      assertEquals(other.hits.length, 0, "the unlisted host must never be contacted");
      const m = latestManifest(dir);
      assertEquals(m.steps.away.denied.code, "LILY-E0824");
      assertEquals(m.steps.away.denied.target, `127.0.0.1:${other.port}`);
      assertMatch(m.steps.away.denied.message, /redirected to/);
      // A 307 keeps the method and the body.
      assertEquals(m.steps.home.status, "succeeded");
      assertEquals(m.steps.home.outputs.body.value, { method: "PUT", body: "[1]" });
    });
    await withProject(
      { "flow.petal": steps(`"127.0.0.1:${first.port}", "127.0.0.1:${other.port}"`) },
      async (dir) => {
        const out = await runFlow(dir, [], { LILY_SECRET_TOKEN: "redirect-secret-1" });
        assertEquals(out.code, 0, out.stderr + out.stdout);
        assertEquals(other.hits.length, 1);
        // The header chosen for the first origin is not sent to another.
        assertEquals(latestManifest(dir).steps.away.outputs.body.value, { auth: null });
        assertEquals(
          first.hits.find((h) => h.path === "/away")?.headers.authorization,
          "redirect-secret-1",
        );
      },
    );
  } finally {
    await first.close();
    await other.close();
  }
});

Deno.test("http: a server that never answers, or stalls in the body, fails the step at its timeout", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const server = serve(async (hit) => {
    if (hit.path === "/stall") {
      // Headers and a first chunk now, the rest never (until the test ends).
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first chunk"));
          await released;
          controller.close();
        },
      });
      return new Response(body);
    }
    await released;
    return new Response("late");
  });
  try {
    await withProject({
      "flow.petal": flow(`  - id: hang
    uses: tool
    adapter: http
    timeout: 300ms
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/"}
    outputs: {body: {type: str}}
  - id: stall
    uses: tool
    adapter: http
    timeout: 300ms
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/stall"}
    outputs: {body: {type: file, path: out/stalled.bin}}
`),
    }, async (dir) => {
      const out = await runFlow(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout);
      const m = latestManifest(dir);
      for (const id of ["hang", "stall"]) {
        assertEquals(m.steps[id].status, "failed");
        assertMatch(m.steps[id].error, /timed out after 300 ms/);
      }
      assertEquals(server.hits.length, 2);
      // The partial body never took the output's place.
      assertEquals(filesUnder(`${dir}/out`), []);
    });
  } finally {
    release();
    await server.close();
  }
});

Deno.test("http: a secret header is masked in every byte under .lily/, even echoed in the response or an error", async () => {
  const secret = "tok-9f8e7d6c5b4a-secret";
  const server = serve((hit) =>
    hit.path === "/fail"
      ? new Response(`denied for ${hit.headers["x-api-key"]}`, { status: 500 })
      : Response.json({ seen: hit.headers["x-api-key"] }, {
        headers: { "x-echo": hit.headers["x-api-key"] },
      })
  );
  try {
    await withProject({
      "flow.petal": flow(
        `  - id: echo
    uses: tool
    adapter: http
    cache: {policy: auto}
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {key: {from: params.api_key}}
    with:
      url: http://127.0.0.1:${server.port}/echo
      headers_from: {X-Api-Key: key}
    outputs: {status: {type: int}, headers: {type: json}, body: {type: json}}
  - id: fail
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {key: {from: params.api_key}}
    with:
      url: http://127.0.0.1:${server.port}/fail
      headers_from: {X-Api-Key: key}
`,
        `params:\n  api_key: {type: secret}\n`,
      ),
    }, async (dir) => {
      const out = await runFlow(dir, ["--continue", "always", "-v", "--events", "events.jsonl"], {
        LILY_SECRET_API_KEY: secret,
      });
      assertEquals(out.code, 1, out.stdout);
      assertEquals(server.hits.length, 2);
      assert(server.hits.every((h) => h.headers["x-api-key"] === secret), "the header was sent");
      assertNotMatch(out.stdout + out.stderr, new RegExp(secret));
      const m = latestManifest(dir);
      assertEquals(m.steps.echo.outputs.body.value, { seen: "***" });
      assertEquals(m.steps.echo.outputs.headers.value["x-echo"], "***");
      assertMatch(m.steps.fail.error, /denied for \*\*\*/);
      const files = filesUnder(`${dir}/.lily`).map((f) => `.lily/${f}`);
      files.push("events.jsonl");
      assert(files.length > 3, files.join(" "));
      for (const file of files) {
        const bytes = await Deno.readFile(`${dir}/${file}`);
        assert(!text(bytes).includes(secret), `${file} holds the secret`);
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: a cached request is not sent again; a changed body is a miss; a dependant re-runs only when the response changes", async () => {
  let version = "v1";
  const server = serve((hit) =>
    hit.path === "/latest" ? Response.json({ version }) : Response.json({ got: text(hit.body) })
  );
  try {
    await withProject({
      "flow.petal": flow(
        `  - id: send
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {n: {from: params.n}}
    with: {method: POST, url: "http://127.0.0.1:${server.port}/send", body_from: n}
    outputs: {body: {type: json}}
  - id: latest
    uses: tool
    adapter: http
    cache: {policy: never}
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/latest"}
    outputs: {body: {type: json}}
  - id: report
    uses: shell
    needs: [latest]
    inputs: {doc: {from: steps.latest.outputs.body}}
    with: {run: 'echo "v=$LILY_INPUT_DOC" >> "$LILY_OUTPUT"'}
    outputs: {v: {type: str}}
`,
        `params:\n  n: {type: int, default: 1}\n`,
      ),
    }, async (dir) => {
      const sends = () => server.hits.filter((h) => h.path === "/send").length;
      const first = await runFlow(dir);
      assertEquals(first.code, 0, first.stderr + first.stdout);
      assertEquals(sends(), 1);
      assertEquals(latestManifest(dir).steps.report.outputs.v.value, '{"version":"v1"}');

      const second = await runFlow(dir);
      assertEquals(second.code, 0, second.stderr);
      let m = latestManifest(dir);
      assertEquals(sends(), 1, "a cache hit sends nothing");
      assertEquals(m.steps.send.cache.decision, "hit");
      assertEquals(m.steps.send.outputs.body.value, { got: "1" });
      assertEquals(m.steps.latest.status, "succeeded"); // policy never: sent again
      assertEquals(m.steps.report.cache.decision, "hit"); // same response body

      version = "v2";
      const third = await runFlow(dir, ["-p", "n=2"]);
      assertEquals(third.code, 0, third.stderr);
      m = latestManifest(dir);
      assertEquals(sends(), 2);
      assertEquals(m.steps.send.cache.decision, "miss");
      assertEquals(m.steps.send.outputs.body.value, { got: "2" });
      assertEquals(m.steps.report.cache.decision, "miss");
      assertMatch(m.steps.report.cache.reason, /doc/);
      assertEquals(m.steps.report.outputs.v.value, '{"version":"v2"}');
    });
  } finally {
    await server.close();
  }
});

Deno.test("http: compose reports every problem of http steps, each at its field", async () => {
  await withProject({
    "flow.petal": flow(`  - id: bad
    uses: tool
    adapter: http
    resources: {network: [api.example.com]}
    with:
      method: FETCH
      url: ftp://api.example.com/x
      hedaers: {A: b}
      body: {a: 1}
      body_from: nothing
    outputs:
      status: {type: str}
      extra: {type: str}
  - id: far
    uses: tool
    adapter: http
    resources: {network: [api.example.com]}
    with: {url: "https://other.example.org:8443/v1", headers: {Host: x}, expect: [700]}
  - id: getbody
    uses: tool
    adapter: http
    resources: {network: true}
    with: {url: "https://api.example.com/", body: [1]}
  - id: wrongkind
    uses: shell
    adapter: http
    with: {run: echo}
  - id: froms
    uses: tool
    adapter: http
    resources: {network: true}
    inputs: {doc: {path: data.json, type: file}}
    with:
      url: https://user:pw@api.example.com/
      query_from: {q: quey}
      headers_from: {X-Doc: doc}
`),
  }, async (dir) => {
    const out = await lily(["compose", "flow.petal", "-o", "-"], { cwd: dir });
    assertEquals(out.code, 2, out.stderr);
    const found = [...out.stderr.matchAll(/error\[(LILY-E\d+)\].*\n {2}--> flow\.petal:(\d+):\d+/g)]
      .map((m) => `${m[1]}@${m[2]}`);
    for (
      const expected of [
        "LILY-E0922@9",
        "LILY-E0923@10",
        "LILY-E0921@11",
        "LILY-E0925@13",
        "LILY-E0929@15",
        "LILY-E0929@16",
        "LILY-E0924@21",
        "LILY-E0927@21",
        "LILY-E0928@21",
        "LILY-E0925@26",
        "LILY-E0920@29",
        "LILY-E0923@37",
        "LILY-E0926@38",
        "LILY-E0926@39",
      ]
    ) assert(found.includes(expected), `${expected} not in ${found.join(" ")}\n${out.stderr}`);
    assertMatch(out.stderr, /did you mean `headers`\?/);
    assertMatch(out.stderr, /`with\.url` has credentials in it/);
    assertMatch(out.stderr, /`query_from\.q` names `quey`, which is not an input of the step/);
    assertMatch(out.stderr, /input `doc` of type `file`, which it cannot send/);
    assertMatch(out.stderr, /`other\.example\.org:8443`, which `resources\.network` does not list/);
    assertMatch(out.stderr, /resources: \{network: \["other\.example\.org:8443"\]\}/);
  });
});

Deno.test("http: the workflow of docs/http.md runs against a local server as documented", async () => {
  const docs = await Deno.readTextFile(new URL("../../docs/http.md", import.meta.url));
  const snippet = /```yaml\n(petal:[^]*?)```/.exec(docs)![1];
  const server = serve((hit) =>
    hit.path === "/v1/items" && hit.headers.authorization === "Bearer docs-token-1"
      ? Response.json({ items: ["a", "b"], query: hit.query, accept: hit.headers.accept })
      : new Response("unauthorized", { status: 401 })
  );
  try {
    const local = snippet
      .replace("https://api.example.com", `http://127.0.0.1:${server.port}`)
      .replace("network: [api.example.com]", `network: ["127.0.0.1:${server.port}"]`);
    assert(local !== snippet && !local.includes("api.example.com"), "the snippet changed shape");
    await withProject({ "flow.petal": local }, async (dir) => {
      const out = await runFlow(dir, [], { LILY_SECRET_TOKEN: "docs-token-1" });
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.hits.length, 1);
      const m = latestManifest(dir);
      assertEquals(m.steps.list.outputs.status.value, 200);
      assertEquals(m.steps.list.outputs.body.value, {
        items: ["a", "b"],
        query: "?sort=name&limit=20",
        accept: "application/json",
      });
      assertEquals(m.steps.count.status, "succeeded");
    });
  } finally {
    await server.close();
  }
});

Deno.test("http attack: a body_from file that is a link out of the project is not sent; a body file is not written through a linked directory", async () => {
  const outside = await Deno.makeTempDir({ prefix: "lily-outside-" });
  await Deno.writeTextFile(`${outside}/private.txt`, "outside-private-bytes");
  const server = serve(() => new Response("payload-from-server"));
  try {
    await withProject({
      "flow.petal": flow(`  - id: exfiltrate
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    inputs: {doc: {path: data/link.txt, type: file}}
    with: {method: POST, url: "http://127.0.0.1:${server.port}/up", body_from: doc}
  - id: plant
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/down"}
    outputs: {body: {type: file, path: out/planted.txt}}
`),
    }, async (dir) => {
      await Deno.mkdir(`${dir}/data`);
      await Deno.symlink(`${outside}/private.txt`, `${dir}/data/link.txt`);
      await Deno.symlink(outside, `${dir}/out`);
      const out = await runFlow(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout);
      const m = latestManifest(dir);
      assertEquals(m.steps.exfiltrate.status, "failed");
      assertMatch(m.steps.exfiltrate.error, /link\.txt` is a symbolic link/);
      assertEquals(server.hits.filter((h) => h.path === "/up").length, 0);
      assertEquals(m.steps.plant.status, "failed");
      assertMatch(m.steps.plant.error, /`out` is a symbolic link \(not followed\)/);
      assertEquals([...Deno.readDirSync(outside)].map((e) => e.name), ["private.txt"]);
    });
  } finally {
    await server.close();
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("http: a body larger than a value output holds fails the step and says to use a file", async () => {
  const big = "x".repeat(9 * 1024 * 1024);
  const server = serve(() => new Response(big));
  try {
    await withProject({
      "flow.petal": flow(`  - id: big
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/"}
    outputs: {body: {type: str}}
  - id: bigfile
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1:${server.port}"]}
    with: {url: "http://127.0.0.1:${server.port}/"}
    outputs: {body: {type: file, path: out/big.txt}}
`),
    }, async (dir) => {
      const out = await runFlow(dir, ["--continue", "always"]);
      assertEquals(out.code, 1, out.stdout);
      const m = latestManifest(dir);
      assertMatch(m.steps.big.error, /over 8388608 bytes, too large for a `str` output/);
      assertMatch(m.steps.big.error, /body: \{type: file, path: out\/response\.json\}/);
      assertEquals(m.steps.bigfile.status, "succeeded");
      assertEquals((await Deno.stat(`${dir}/out/big.txt`)).size, big.length);
    });
  } finally {
    await server.close();
  }
});

/** A CA and a certificate for 127.0.0.1 it signed, made with openssl in `dir`. */
async function testCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const sh = async (script: string) => {
    const out = await new Deno.Command("sh", { args: ["-ec", script], cwd: dir, stderr: "piped" })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  await sh(
    `openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=lily test CA"
openssl req -newkey rsa:2048 -nodes -keyout key.pem -out leaf.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > ext.cnf
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 -extfile ext.cnf`,
  );
  return { ca: `${dir}/ca.pem`, cert: `${dir}/cert.pem`, key: `${dir}/key.pem` };
}

Deno.test({
  name: "http: an https URL is fetched over TLS, its host:port matched by a port-less entry",
  ignore: skipUnless("openssl"),
  fn: async () => {
    const certs = await Deno.makeTempDir({ prefix: "lily-tls-" });
    const { ca, cert, key } = await testCertificates(certs);
    const controller = new AbortController();
    let hits = 0;
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(cert),
      key: await Deno.readTextFile(key),
      signal: controller.signal,
      onListen() {},
    }, () => {
      hits++;
      return Response.json({ secure: true });
    });
    try {
      await withProject({
        "flow.petal": flow(`  - id: tls
    uses: tool
    adapter: http
    resources: {network: ["127.0.0.1"]}
    with: {url: "https://127.0.0.1:${server.addr.port}/v1"}
    outputs: {body: {type: json}}
`),
      }, async (dir) => {
        // The test CA is trusted by this run only (DENO_CERT adds it to Deno's roots).
        const out = await runFlow(dir, [], { DENO_CERT: ca });
        assertEquals(out.code, 0, out.stderr + out.stdout);
        assertEquals(hits, 1);
        assertEquals(latestManifest(dir).steps.tls.outputs.body.value, { secure: true });
        // Without the CA the certificate is refused: a send failure, not a response.
        const untrusted = await runFlow(dir, ["--from", "tls"]);
        assertEquals(untrusted.code, 1, untrusted.stdout);
        assertMatch(
          latestManifest(dir).steps.tls.error,
          /GET https:\/\/127\.0\.0\.1:\d+\/v1 failed: .*certificate/,
        );
        assertEquals(hits, 1);
      });
    } finally {
      controller.abort();
      await server.finished;
      await Deno.remove(certs, { recursive: true });
    }
  },
});
