// `uses: llm` through the real CLI against local servers (tests/llm/_servers.ts) speaking the
// OpenAI, Anthropic and Ollama protocols over real HTTP, plain and streamed: what Lily sends
// (model, parameters, the key in the provider's header only), the text assembled from a
// stream, structured output retried with the validation error, 429 storms with Retry-After,
// a 500 then success, a redirect off the provider's host refused before it is contacted, the
// API key in no byte Lily wrote, a cache hit that calls nobody, the model pin and its drift,
// the per-provider concurrency limit, and the prompt capture (artifacts and their sha256).
import { assert, assertEquals, assertMatch, assertNotMatch } from "../_assert.ts";
import { lily, tempProject } from "../_tools.ts";
import { filesUnder, latestEvents, latestManifest } from "../run/_run.ts";
import { type LlmServer, type Protocol, startLlmServer } from "./_servers.ts";
import { Buffer } from "node:buffer";

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

/**
 * Runs `lily ARGS` in `dir` with its own cache home and the given environment. `CI` is not
 * `true` there: these tests call the local servers live (under `CI=true` a run replays
 * cassettes by default; the cassette tests cover that).
 */
function cli(dir: string, args: string[], env: Record<string, string> = {}) {
  return lily(args, { cwd: dir, env: { XDG_CACHE_HOME: `${dir}/.xdg`, CI: "false", ...env } });
}

/** Starts a server for the test and closes it after. */
async function withServer(
  protocol: Protocol,
  fn: (server: LlmServer) => Promise<void>,
  script: Parameters<typeof startLlmServer>[1] = {},
): Promise<void> {
  const server = startLlmServer(protocol, script);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const KEY = "sk-test-0123456789abcdef-SECRET";

function flow(steps: string, params = "params:\n  key: {type: secret}\n"): string {
  return `petal: "1"\nname: ask\n${params}steps:\n${steps}`;
}

/** One llm step calling `server`, with the key from the secret param. */
function askStep(server: LlmServer, extra = "", withExtra = ""): string {
  return `  - id: ask
    uses: llm
    inputs: {api_key: {from: params.key}}
    with:
      provider: ${server.protocol}
      model: test-model
      base_url: ${server.baseUrl}
      system: You are terse.
      prompt: Say hello to Ana.
      temperature: 0.2
      seed: 7
      max_tokens: 64
${withExtra}    outputs: {text: {type: str}}
${extra}`;
}

for (const protocol of ["openai", "anthropic", "ollama"] as const) {
  for (const stream of [true, false]) {
    Deno.test(`llm ${protocol}: a ${stream ? "streamed" : "plain"} answer fills \`text\`; the request carries the model, parameters and the key in the provider's header`, async () => {
      await withServer(protocol, async (server) => {
        await withProject(
          { "flow.petal": flow(askStep(server, "", stream ? "" : "      stream: false\n")) },
          async (dir) => {
            const out = await cli(dir, ["run", "flow.petal"], { LILY_SECRET_KEY: KEY });
            assertEquals(out.code, 0, out.stderr + out.stdout);
            assertEquals(server.hits.length, 1);
            const hit = server.hits[0];
            const body = hit.json!;
            assertEquals(body.model, "test-model");
            if (protocol === "openai") {
              assertEquals(hit.path, "/v1/chat/completions");
              assertEquals(hit.headers.authorization, `Bearer ${KEY}`);
              assertEquals(body.messages, [
                { role: "system", content: "You are terse." },
                { role: "user", content: "Say hello to Ana." },
              ]);
              assertEquals([body.temperature, body.seed, body.max_tokens], [0.2, 7, 64]);
              assertEquals(body.stream, stream ? true : undefined);
            } else if (protocol === "anthropic") {
              assertEquals(hit.path, "/v1/messages");
              assertEquals(hit.headers["x-api-key"], KEY);
              assertEquals(hit.headers.authorization, undefined);
              assertEquals(hit.headers["anthropic-version"], "2023-06-01");
              assertEquals(body.system, "You are terse.");
              assertEquals(body.messages, [{ role: "user", content: "Say hello to Ana." }]);
              assertEquals([body.temperature, body.max_tokens], [0.2, 64]);
              assertEquals(body.stream, stream ? true : undefined);
            } else {
              assertEquals(hit.path, "/api/chat");
              assertEquals(body.options, { temperature: 0.2, seed: 7, num_predict: 64 });
              assertEquals(body.stream, stream);
            }
            const m = latestManifest(dir);
            const step = m.steps.ask;
            assertEquals(step.outputs.text.value, "echo: Say hello to Ana.");
            assertEquals(step.metrics.llm_input_tokens, 11);
            assertEquals(step.metrics.llm_output_tokens, 7);
            assertEquals(step.enforcement.adapter, "llm");
            assertEquals(step.enforcement.network, `only 127.0.0.1:${server.port}`);
            // The prompt capture: request and answer, each file's sha256 in the manifest.
            const runDir = `${dir}/.lily/runs/${m.run_id}`;
            for (const name of ["request", "response"]) {
              const artifact = step.artifacts[name];
              const bytes = await Deno.readFile(`${runDir}/${artifact.path}`);
              const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
              assertEquals(
                artifact.sha256,
                `sha256:${[...digest].map((b) => b.toString(16).padStart(2, "0")).join("")}`,
              );
              assertEquals(artifact.size, bytes.length);
            }
            const request = JSON.parse(
              await Deno.readTextFile(`${runDir}/${step.artifacts.request.path}`),
            );
            assertEquals(request.model, "test-model");
            assertEquals(request.system, "You are terse.");
            assertEquals(request.temperature, 0.2);
            assertEquals(request.base_url, server.baseUrl);
            const response = JSON.parse(
              await Deno.readTextFile(`${runDir}/${step.artifacts.response.path}`),
            );
            assertEquals(response.text, "echo: Say hello to Ana.");
            assertEquals(response.model, "test-model-2026-01-01");
            assertEquals(response.streamed, stream);
          },
        );
      });
    });
  }
}

Deno.test("llm: an input reaches the prompt through $LILY_INPUT_X at run time", async () => {
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: make
    uses: shell
    with: {run: 'echo "topic=the sea" >> "$LILY_OUTPUT"'}
    outputs: {topic: {type: str}}
  - id: ask
    uses: llm
    needs: [make]
    inputs: {topic: {from: steps.make.outputs.topic}}
    with:
      provider: openai
      model: m
      base_url: ${server.baseUrl}
      prompt: "Write about \${LILY_INPUT_TOPIC}, then $LILY_INPUT_TOPIC again."
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(
        latestManifest(dir).steps.ask.outputs.text.value,
        "echo: Write about the sea, then the sea again.",
      );
      assertEquals(server.hits[0].headers.authorization, undefined);
    });
  });
});

const SCHEMA =
  `{type: object, required: [label, score], properties: {label: {enum: [pos, neg]}, score: {type: integer, minimum: 1, maximum: 5}}}`;

Deno.test("llm: structured output is validated; an invalid answer is retried with the validation error appended", async () => {
  const answers = [
    "Sure! Here it is",
    '{"label": "meh", "score": 3}',
    '{"label": "pos", "score": 4}',
  ];
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: rate
    uses: llm
    retries: {max: 2, backoff: 1ms}
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: Rate it.}
    outputs:
      json: {type: json, schema: ${SCHEMA}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.answered(), 3);
      const first = server.hits[0].json!;
      assertEquals(
        (first.response_format as { type: string }).type,
        "json_schema",
        "the schema is sent as the response format",
      );
      const second = server.hits[1].json!.messages as { role: string; content: string }[];
      assertEquals(second[second.length - 2], { role: "assistant", content: "Sure! Here it is" });
      assertMatch(second[second.length - 1].content, /not valid: the answer is not JSON/);
      const third = server.hits[2].json!.messages as { role: string; content: string }[];
      assertMatch(third[third.length - 1].content, /not valid: \$\.label/);
      const m = latestManifest(dir);
      assertEquals(m.steps.rate.attempts, 3);
      assertEquals(m.steps.rate.outputs.json.value, { label: "pos", score: 4 });
    });
  }, { reply: (_body, n) => answers[n] });
});

Deno.test("llm: an answer that never fits the schema fails with LILY-E0998 once retries are spent", async () => {
  await withServer("anthropic", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: rate
    uses: llm
    retries: {max: 1, backoff: 1ms}
    with: {provider: anthropic, model: m, base_url: ${server.baseUrl}, prompt: Rate it.}
    outputs:
      json: {type: json, schema: ${SCHEMA}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 1, out.stderr + out.stdout);
      assertEquals(server.answered(), 2);
      // Anthropic has no schema parameter: the instruction is in the system prompt.
      assertMatch(String(server.hits[0].json!.system), /JSON Schema: \{/);
      const m = latestManifest(dir);
      assertMatch(m.steps.rate.error, /LILY-E0998|does not fit output `json`/);
      assertMatch(out.stdout + out.stderr, /LILY-E0998/);
    });
  }, { reply: () => '{"label": "pos"}' });
});

Deno.test("llm: a 429 storm is retried after each Retry-After, then the answer is used", async () => {
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: ask
    uses: llm
    retries: {max: 4, backoff: 3ms, max_backoff: 1m}
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: hi}
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.hits.length, 4);
      const retries = latestEvents(dir).filter((e) => e.type === "step.retry");
      // The server's waits, not the step's 3 ms backoff.
      assertEquals(retries.map((e) => e.delay_ms), [0, 1000, 0]);
      assertMatch(String(retries[0].reason), /429/);
      // The step has retries: no hint tells it to add them.
      for (const text of [out.stdout + out.stderr, ...retries.map((e) => String(e.reason))]) {
        assert(!/give the step `retries/.test(text), text);
      }
      assertEquals(latestManifest(dir).steps.ask.outputs.text.value, "echo: hi");
    });
  }, {
    failures: [
      { status: 429, retryAfter: "0" },
      { status: 429, retryAfter: "1" },
      { status: 429, retryAfter: "0" },
    ],
  });
});

Deno.test("llm: a 500 then success; a 429 without retries fails with a hint; a 400 is not retried", async () => {
  await withServer("anthropic", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: ask
    uses: llm
    retries: {max: 1, backoff: 1ms}
    with: {provider: anthropic, model: m, base_url: ${server.baseUrl}, prompt: hi, stream: false}
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      assertEquals(server.hits.length, 2);
      assertEquals(latestManifest(dir).steps.ask.attempts, 2);
    });
  }, { failures: [{ status: 500 }] });
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: ask
    uses: llm
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: hi}
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 1);
      assertMatch(out.stdout + out.stderr, /LILY-E0997/);
      assertMatch(out.stdout + out.stderr, /answered 429/);
      assertMatch(out.stdout + out.stderr, /retries: \{max: 3\}/);
    });
  }, { failures: [{ status: 429, retryAfter: "1" }] });
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: ask
    uses: llm
    retries: {max: 3, backoff: 1ms}
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: hi}
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      const out = await cli(dir, ["run", "flow.petal"]);
      assertEquals(out.code, 1);
      assertEquals(server.hits.length, 1, "a 400 would recur: not retried");
      assertMatch(out.stdout + out.stderr, /answered 400/);
    });
  }, { failures: [{ status: 400 }] });
});

Deno.test("llm: a redirect off the provider's host is denied before that host is contacted", async () => {
  await withServer("openai", async (elsewhere) => {
    await withServer("openai", async (server) => {
      await withProject({
        "flow.petal": flow(
          `  - id: ask
    uses: llm
    inputs: {api_key: {from: params.key}}
    retries: {max: 2, backoff: 1ms}
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: hi}
    outputs: {text: {type: str}}
`,
        ),
      }, async (dir) => {
        const out = await cli(dir, ["run", "flow.petal"], { LILY_SECRET_KEY: KEY });
        assertEquals(out.code, 1, out.stderr + out.stdout);
        assertEquals(server.hits.length, 1, "a denial is not retried");
        assertEquals(elsewhere.hits.length, 0, "the other host was never contacted");
        const m = latestManifest(dir);
        assertEquals(m.steps.ask.denied.code, "LILY-E0824");
        assertEquals(m.steps.ask.denied.target, `127.0.0.1:${elsewhere.port}`);
        assertMatch(m.steps.ask.denied.hint, /only its provider's host/);
        assertMatch(out.stdout + out.stderr, /LILY-E0824/);
        // `resources.network` is not an llm step's: no note tells it to grant the network.
        assertEquals(m.steps.ask.notes, undefined);
        assert(!/ran without network/.test(out.stdout + out.stderr), out.stdout);
        // explain shows the host it reaches, not `network off`.
        const explain = await cli(dir, ["explain", "flow.petal"]);
        assertEquals(explain.code, 0, explain.stderr);
        assertMatch(
          explain.stdout,
          new RegExp(`network only 127\\.0\\.0\\.1:${server.port} \\(the provider\\)`),
        );
        assert(!/network off/.test(explain.stdout), explain.stdout);
      });
    }, {
      failures: [{
        status: 307,
        location: `http://127.0.0.1:${elsewhere.port}/v1/chat/completions`,
      }],
    });
  });
});

Deno.test("llm: the API key is in no byte Lily wrote (raw, base64, URL-encoded), even echoed by the provider", async () => {
  const forms = [
    KEY,
    Buffer.from(KEY).toString("base64").replace(/=+$/, ""),
    encodeURIComponent(KEY),
  ];
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(askStep(
        server,
        `    retries: {max: 1, backoff: 1ms}
    cache: {policy: auto}
`,
      )),
    }, async (dir) => {
      const composed = await cli(dir, ["compose", "flow.petal"]);
      assertEquals(composed.code, 0, composed.stderr);
      const env = { LILY_SECRET_KEY: KEY };
      const out = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "-v"], env);
      assertEquals(out.code, 0, out.stderr + out.stdout);
      const again = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "--events", "-"], env);
      assertEquals(again.code, 0, again.stderr);
      assert(
        server.hits.every((h) => h.headers.authorization === `Bearer ${KEY}`),
        "the key was sent",
      );
      const m = latestManifest(dir);
      assertMatch(String(m.steps.ask.outputs.text.value), /\*\*\*/);
      for (const form of forms) {
        assertNotMatch(out.stdout + out.stderr + again.stdout + again.stderr, new RegExp(form));
      }
      const files = filesUnder(dir).filter((f) => !f.startsWith("flow.petal"));
      assert(files.some((f) => f.startsWith(".lily/runs/") && f.endsWith(".response.json")));
      assert(files.some((f) => f.startsWith(".xdg/") || f.startsWith(".lily/cache")));
      for (const file of files) {
        const text = new TextDecoder().decode(await Deno.readFile(`${dir}/${file}`));
        for (const form of forms) assert(!text.includes(form), `${file} holds the key (${form})`);
      }
    });
  }, {
    failures: [{ status: 500, body: `{"error": {"message": "bad key ${KEY}"}}` }],
    reply: (body) =>
      `you sent ${KEY} and ${encodeURIComponent(KEY)}: ${JSON.stringify(body.model)}`,
  });
});

Deno.test("llm: a cached llm step does not call the provider again; a changed parameter does", async () => {
  await withServer("ollama", async (server) => {
    const step = (temperature: number) =>
      flow(
        `  - id: ask
    uses: llm
    with: {provider: ollama, model: m, base_url: ${server.baseUrl}, prompt: hi, temperature: ${temperature}}
    outputs: {text: {type: str}}
`,
        "",
      );
    await withProject({ "flow.petal": step(0) }, async (dir) => {
      assertEquals((await cli(dir, ["run", "flow.petal"])).code, 0);
      assertEquals(server.hits.length, 1);
      const second = await cli(dir, ["run", "flow.petal"]);
      assertEquals(second.code, 0, second.stderr);
      assertEquals(server.hits.length, 1, "the second run was served by the cache");
      assertEquals(latestManifest(dir).steps.ask.cache.decision, "hit");
      assertEquals(latestManifest(dir).steps.ask.outputs.text.value, "echo: hi");
      await Deno.writeTextFile(`${dir}/flow.petal`, step(0.5));
      assertEquals((await cli(dir, ["run", "flow.petal"])).code, 0);
      assertEquals(server.hits.length, 2, "the temperature is in the cache key");
    });
  });
});

Deno.test("llm: the model alias is pinned to the id the provider reports; the alias is sent, the pin checked; drift fails --locked and re-pins otherwise", async () => {
  await withServer("openai", async (server) => {
    await withProject({
      "flow.petal": flow(
        `  - id: ask
    uses: llm
    cache: {policy: never}
    with: {provider: openai, model: gpt-test, base_url: ${server.baseUrl}, prompt: hi}
    outputs: {text: {type: str}}
`,
        "",
      ),
    }, async (dir) => {
      assertEquals((await cli(dir, ["compose", "flow.petal"])).code, 0);
      const lockPath = `${dir}/locks/flow.petal.lock.yaml`;
      const key = `openai:gpt-test@${server.baseUrl}`;
      const locked1 = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "--locked"]);
      assertEquals(locked1.code, 1, "--locked with no pin yet fails");
      assertMatch(locked1.stdout + locked1.stderr, /LILY-E0999/);
      assertEquals(server.hits.length, 0, "--locked fails before calling");
      const first = await cli(dir, ["run", "locks/flow.petal.lock.yaml"]);
      assertEquals(first.code, 0, first.stderr + first.stdout);
      let lock = await Deno.readTextFile(lockPath);
      assert(lock.includes(`"${key}": gpt-test-2026-01-01\n`), lock);
      const explain = await cli(dir, ["explain", "locks/flow.petal.lock.yaml"]);
      assertMatch(explain.stdout, /llm openai gpt-test/);
      assertMatch(explain.stdout, /pinned gpt-test-2026-01-01/);
      const json = await cli(dir, ["explain", "locks/flow.petal.lock.yaml", "--format", "json"]);
      const facts = JSON.parse(json.stdout).steps[0].llm;
      assertEquals(facts, {
        provider: "openai",
        model: "gpt-test",
        base_url: server.baseUrl,
        pin_key: key,
        pinned: "gpt-test-2026-01-01",
      });
      // The alias is still what is asked for (the pin is checked, not sent); --locked accepts it.
      const second = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "--locked"]);
      assertEquals(second.code, 0, second.stderr + second.stdout);
      assertEquals(server.hits[1].json!.model, "gpt-test");
      // The provider now serves another model under the pinned id.
      server.script.reportModel = () => "gpt-test-2026-06-01";
      const drifted = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "--locked"]);
      assertEquals(drifted.code, 1);
      assertMatch(drifted.stdout + drifted.stderr, /LILY-E0999/);
      assertMatch(drifted.stdout + drifted.stderr, /gpt-test-2026-06-01/);
      assertMatch(
        await Deno.readTextFile(lockPath),
        /: gpt-test-2026-01-01/,
        "--locked never writes",
      );
      const repinned = await cli(dir, ["run", "locks/flow.petal.lock.yaml"]);
      assertEquals(repinned.code, 0, repinned.stderr);
      lock = await Deno.readTextFile(lockPath);
      assertMatch(lock, /: gpt-test-2026-06-01/);
      const m = latestManifest(dir);
      const log = await Deno.readTextFile(`${dir}/.lily/runs/${m.run_id}/${m.steps.ask.logs[0]}`);
      assertMatch(log, /model drift: gpt-test-2026-01-01 is now answered as gpt-test-2026-06-01/);
    });
  });
});

Deno.test("llm: composing again keeps the model pins of the lock it replaces, and drops those no step asks for", async () => {
  const step = (model: string) =>
    `  - id: ask
    uses: llm
    cache: {policy: never}
    with: {provider: openai, model: ${model}, base_url: BASE, prompt: hi}
    outputs: {text: {type: str}}
`;
  await withServer("openai", async (server) => {
    const petal = (model: string) => flow(step(model).replace("BASE", server.baseUrl), "");
    await withProject({ "flow.petal": petal("gpt-test") }, async (dir) => {
      const lockPath = `${dir}/locks/flow.petal.lock.yaml`;
      assertEquals((await cli(dir, ["compose", "flow.petal"])).code, 0);
      const first = await cli(dir, ["run", "locks/flow.petal.lock.yaml"]);
      assertEquals(first.code, 0, first.stderr + first.stdout);
      assertMatch(await Deno.readTextFile(lockPath), /: gpt-test-2026-01-01\n/);
      // Recomposed: the pin stays, so --locked still runs.
      assertEquals((await cli(dir, ["compose", "flow.petal"])).code, 0);
      assertMatch(await Deno.readTextFile(lockPath), /: gpt-test-2026-01-01\n/);
      const locked = await cli(dir, ["run", "locks/flow.petal.lock.yaml", "--locked"]);
      assertEquals(locked.code, 0, locked.stderr + locked.stdout);
      // Another model: its pin is not the old one's.
      await Deno.writeTextFile(`${dir}/flow.petal`, petal("gpt-other"));
      assertEquals((await cli(dir, ["compose", "flow.petal"])).code, 0);
      const lock = await Deno.readTextFile(lockPath);
      assert(!lock.includes("gpt-test-2026-01-01"), lock);
    });
  });
});

Deno.test("llm: at most --llm-concurrency calls are in flight per provider", async () => {
  let release: (() => void) | undefined;
  let waiting = 0;
  // Each answer waits for the next request (or a short while when none comes): with a limit
  // of 1 no second request arrives while one is held.
  const hold = () =>
    new Promise<void>((resolve) => {
      waiting++;
      const previous = release;
      release = resolve;
      previous?.();
      setTimeout(resolve, 300);
    });
  await withServer("openai", async (server) => {
    const steps = ["a", "b", "c"].map((id) =>
      `  - id: ${id}
    uses: llm
    with: {provider: openai, model: m, base_url: ${server.baseUrl}, prompt: ${id}}
    outputs: {text: {type: str}}
`
    ).join("");
    await withProject({ "flow.petal": flow(steps, "") }, async (dir) => {
      const one = await cli(dir, ["run", "flow.petal", "-j", "3", "--llm-concurrency", "1"]);
      assertEquals(one.code, 0, one.stderr + one.stdout);
      assertEquals(server.answered(), 3);
      assertEquals(server.maxInFlight(), 1);
      assertEquals(waiting, 3);
    });
  }, { hold });
});

Deno.test("llm fake: deterministic text and schema-valid JSON with no network", async () => {
  await withProject({
    "flow.petal": flow(
      `  - id: hello
    uses: llm
    cache: {policy: never}
    with: {provider: fake, model: tiny, prompt: Say hi to Ana}
    outputs: {text: {type: str}}
  - id: rate
    uses: llm
    cache: {policy: never}
    needs: [hello]
    inputs: {text: {from: steps.hello.outputs.text}}
    with: {provider: fake, model: tiny, prompt: "Rate: $LILY_INPUT_TEXT"}
    outputs:
      json: {type: json, schema: ${SCHEMA}}
`,
      "",
    ),
  }, async (dir) => {
    const first = await cli(dir, ["run", "flow.petal"]);
    assertEquals(first.code, 0, first.stderr + first.stdout);
    const a = latestManifest(dir).steps;
    const second = await cli(dir, ["run", "flow.petal"]);
    assertEquals(second.code, 0);
    const b = latestManifest(dir).steps;
    assertMatch(a.hello.outputs.text.value, /^fake [0-9a-f]{12}: Say hi to Ana$/);
    assertEquals(b.hello.outputs.text.value, a.hello.outputs.text.value);
    assertEquals(b.rate.outputs.json.value, a.rate.outputs.json.value);
    assert(["pos", "neg"].includes(a.rate.outputs.json.value.label));
    assertEquals(a.rate.enforcement.network, "off");
  });
});

Deno.test("llm compose: each wrong field is a positioned error with its code", async () => {
  await withProject({
    "flow.petal": `petal: "1"
name: bad
params:
  plain: {type: str, default: x}
steps:
  - id: a
    uses: llm
    with: {provider: opena, prompt: hi}
  - id: b
    uses: llm
    adapter: process
    inputs: {api_key: {from: params.plain}}
    with: {provider: openai, model: m, base_url: "ftp://x", prompt: "$LILY_INPUT_NOPE", tempreature: 1}
    outputs: {answer: {type: str}}
`,
  }, async (dir) => {
    const out = await cli(dir, ["compose", "flow.petal"]);
    assertEquals(out.code, 2, out.stderr);
    const err = out.stderr;
    assertMatch(
      err,
      /LILY-E0991\]: llm step `a`: `with.provider` is "opena"[\s\S]*?flow\.petal:8:[\s\S]*?did you mean `openai`/,
    );
    assertMatch(err, /LILY-E0991\]: llm step `a`: needs `with.model`/);
    assertMatch(
      err,
      /LILY-E0990\]: llm step `b`: unknown field `with.tempreature`[\s\S]*?flow\.petal:13:/,
    );
    assertMatch(err, /LILY-E0992\]: llm step `b`: `with.base_url`[\s\S]*?flow\.petal:13:/);
    assertMatch(err, /LILY-E0994\]: llm step `b`: `adapter: process`[\s\S]*?flow\.petal:11:/);
    assertMatch(err, /LILY-E0994\]: llm step `b`: input `api_key` is `str`[\s\S]*?flow\.petal:12:/);
    assertMatch(err, /LILY-E0995\]: llm step `b`: output `answer`[\s\S]*?flow\.petal:14:/);
    assertMatch(err, /LILY-E0996\]: llm step `b`: `\$LILY_INPUT_NOPE` names no input/);
    assertNotMatch(err, /at .*\.ts:\d+/, "no stack trace");
  });
});
