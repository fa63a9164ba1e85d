// A cassette is masked value by value, never as serialized text: a secret that is also one of
// the file's own words (`request`, `status`, `body`) leaves a valid cassette with its shape,
// and the secret in no value (nor in a key of a JSON body, which is data).
import { assert, assertEquals } from "../_assert.ts";
import { cassetteText, parseCassette } from "../../src/llm/cassette_file.ts";
import type { Interaction } from "../../src/llm/cassette_http.ts";
import { createMasker } from "../../src/sandbox/mask.ts";

const interaction = {
  request: {
    method: "POST",
    url: "http://127.0.0.1:1/v1/chat/completions",
    headers: {},
    json: { model: "m", prompt: "say request, status and body", request: 1 },
  },
  response: { status: 200, headers: {}, body: "the request status body" },
} as unknown as Interaction;

/** Every string value (not key) in `value`. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

for (const secret of ["request", "status", "body", "interactions"]) {
  Deno.test(`a cassette stays a cassette when the secret is \`${secret}\``, async () => {
    const text = cassetteText([interaction], createMasker([secret]));
    const back = await parseCassette("c.yaml", text);
    assertEquals(back.length, 1, text);
    assertEquals(back[0].request.method, "POST");
    assertEquals(back[0].response.status, 200);
    for (const value of strings(back)) assert(!value.includes(secret), `${secret} in ${value}`);
    const body = back[0].request.json as Record<string, unknown>;
    assert(!Object.keys(body).some((k) => k.includes(secret)), JSON.stringify(body));
  });
}
