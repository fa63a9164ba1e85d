// The http step's request reader (src/steps/http.ts) and the Retry-After reading of the adapter,
// unit by unit: what a `with:` block becomes, which hosts a network policy lets a URL reach
// (the sandbox proxy's matcher), and the wait a Retry-After asks for.
import { assert, assertEquals } from "../_assert.ts";
import { hostDenial, type HttpStep, isExpected, readHttpStep } from "../../src/steps/http.ts";
import { retryAfterMs } from "../../adapters/http.ts";

function step(withBlock: Record<string, unknown>, extra: Partial<HttpStep> = {}): HttpStep {
  return {
    id: "s",
    uses: "tool",
    adapter: "http",
    inputs: {},
    outputs: {},
    resources: { network: true, binaries: [], env: [] },
    with: withBlock,
    ...extra,
  };
}

Deno.test("http reader: a full with: block becomes the request plan", () => {
  const { plan, problems } = readHttpStep(step({
    method: "patch",
    url: "https://api.example.com/v1/x?keep=1",
    headers: { Accept: "application/json", "X-N": 3 },
    headers_from: { Authorization: { input: "tok", prefix: "Bearer " }, "X-Id": "id" },
    query: { tag: ["a", "b"], on: true },
    query_from: { q: "id" },
    body_from: "doc",
    expect: [200, "2xx", "3XX"],
    redirects: 0,
  }, {
    inputs: {
      tok: { type: "secret", required: true, from: "params.tok" },
      id: { type: "int", required: true, from: "params.id" },
      doc: { type: "file", required: true, path: "doc.json" },
    },
    outputs: { body: { type: "file", required: true, path: "out/r.json" } },
  }));
  assertEquals(problems, []);
  assertEquals(plan.method, "PATCH");
  assertEquals(plan.headers, [["Accept", "application/json"], ["X-N", "3"]]);
  assertEquals(plan.headersFrom, [
    { name: "Authorization", input: "tok", prefix: "Bearer " },
    { name: "X-Id", input: "id", prefix: "" },
  ]);
  assertEquals(plan.query, [["tag", "a"], ["tag", "b"], ["on", "true"]]);
  assertEquals(plan.queryFrom, [["q", "id"]]);
  assertEquals(plan.bodyFrom, "doc");
  assertEquals(plan.expect, { codes: [200], classes: [2, 3] });
  assertEquals(plan.redirects, 0);
  assert(isExpected(plan, 204) && isExpected(plan, 302) && !isExpected(plan, 404));
});

Deno.test("http reader: the defaults are GET, any 2xx, five redirects", () => {
  const { plan, problems } = readHttpStep(step({ url: "http://h/" }));
  assertEquals(problems, []);
  assertEquals([plan.method, plan.redirects], ["GET", 5]);
  assert(isExpected(plan, 200) && isExpected(plan, 299) && !isExpected(plan, 304));
});

Deno.test("http reader: every problem is reported, each with its field's path", () => {
  const { problems } = readHttpStep(step({
    method: 1,
    url_from: "nope",
    headers: "x",
    query: { q: { nested: 1 } },
    expect: [],
    redirects: 99,
    bogus: 1,
  }, { outputs: { status: { type: "json", required: true } } }));
  assertEquals(problems.map((p) => `${p.code} ${p.path.join(".")}`), [
    "LILY-E0921 with.bogus",
    "LILY-E0922 with.method",
    "LILY-E0926 with.url_from",
    "LILY-E0927 with.headers",
    "LILY-E0927 with.query.q",
    "LILY-E0928 with.expect",
    "LILY-E0928 with.redirects",
    "LILY-E0929 outputs.status",
  ]);
});

Deno.test("http reader: a header from an input may not repeat a literal one, in any case", () => {
  const { problems } = readHttpStep(step({
    url: "http://h/",
    headers: { authorization: "x" },
    headers_from: { Authorization: "t" },
  }, { inputs: { t: { type: "str", required: true, from: "params.t" } } }));
  assertEquals(problems.map((p) => p.code), ["LILY-E0927"]);
});

Deno.test("http hosts: the network policy decides, with the proxy's matching", () => {
  const url = (u: string) => new URL(u);
  assertEquals(hostDenial(true, url("https://any.where/")), undefined);
  assertEquals(hostDenial(false, url("https://any.where/")), "any.where:443");
  assertEquals(hostDenial(["api.example.com"], url("http://API.example.com:8080/")), undefined);
  assertEquals(
    hostDenial(["api.example.com:443"], url("http://api.example.com/")),
    "api.example.com:80",
  );
  assertEquals(hostDenial(["*.example.org"], url("https://a.b.example.org/")), undefined);
  assertEquals(
    hostDenial(["*.example.org"], url("https://example.org.evil.com/")),
    "example.org.evil.com:443",
  );
  assertEquals(hostDenial([], url("http://127.0.0.1:9/")), "127.0.0.1:9");
});

Deno.test("Retry-After: seconds or an HTTP date, capped, unreadable ignored", () => {
  const now = Date.parse("2026-11-26T10:00:00Z");
  assertEquals(retryAfterMs("0", 5000, now), 0);
  assertEquals(retryAfterMs(" 4 ", 5000, now), 4000);
  assertEquals(retryAfterMs("120", 5000, now), 5000);
  assertEquals(retryAfterMs("Thu, 26 Nov 2026 10:00:03 GMT", 60_000, now), 3000);
  assertEquals(retryAfterMs("Thu, 26 Nov 2026 09:00:00 GMT", 60_000, now), 0);
  assertEquals(retryAfterMs("Thu, 26 Nov 2026 11:00:00 GMT", 60_000, now), 60_000);
  assertEquals(retryAfterMs("soon", 60_000, now), undefined);
  assertEquals(retryAfterMs("-1", 60_000, now), undefined);
  assertEquals(retryAfterMs(null, 60_000, now), undefined);
});
