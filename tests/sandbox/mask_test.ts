import fc from "fast-check";
import { assert, assertEquals } from "../_assert.ts";
import { createMasker, MASK, secretForms } from "../../src/sandbox/mask.ts";

const secretArb = fc.string({ minLength: 6, maxLength: 24, unit: "grapheme-ascii" }).filter((s) =>
  s.trim().length >= 6
);

function leakForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    btoa(String.fromCharCode(...bytes)).replace(/=+$/, ""),
  ];
}

Deno.test("every form of a secret is masked: plain, URL, JSON-escaped, base64 at any alignment", () => {
  fc.assert(
    fc.property(
      secretArb,
      fc.string({ maxLength: 5 }),
      fc.string({ maxLength: 5 }),
      (secret, before, after) => {
        const m = createMasker([secret]);
        for (const form of leakForms(secret)) {
          const out = m.mask(`${before}${form}${after}`);
          assert(!out.includes(form), `${JSON.stringify(form)} leaked in ${JSON.stringify(out)}`);
        }
        // base64 of the secret embedded in a longer payload, at each alignment
        for (const prefix of ["", "x", "xy"]) {
          const bytes = new TextEncoder().encode(`${prefix}${secret}${after}`);
          const b64 = btoa(String.fromCharCode(...bytes));
          const out = m.mask(b64);
          assert(
            out.includes(MASK),
            `base64 with prefix ${JSON.stringify(prefix)} not masked: ${b64}`,
          );
        }
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("a secret split across stream chunks is still masked", () => {
  fc.assert(
    fc.property(
      secretArb,
      fc.string({ maxLength: 30 }),
      fc.array(fc.nat(60), { maxLength: 6 }),
      (secret, noise, cuts) => {
        const m = createMasker([secret]);
        const text = `${noise}${secret}${noise}${JSON.stringify(secret)}${noise}`;
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const stream = m.stream();
        let out = "";
        let last = 0;
        for (const p of points) {
          out += stream.push(text.slice(last, p));
          last = p;
        }
        out += stream.push(text.slice(last)) + stream.end();
        assertEquals(out, m.mask(text));
        assert(!out.includes(secret));
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("forms are longest first and empty secrets mask nothing", () => {
  const forms = secretForms("p@ss w/rd");
  assert(forms.includes("p%40ss%20w%2Frd"));
  assertEquals(forms, [...forms].sort((a, b) => b.length - a.length));
  assertEquals(createMasker([""]).mask("anything"), "anything");
});

Deno.test("a form that is a prefix of another is decided only when the longer one is possible", () => {
  // The plain secret ends with a backslash, so its JSON-escaped form extends it.
  const secret = "           #    \\";
  const m = createMasker([secret]);
  const text = `${secret}${JSON.stringify(secret)}`;
  const stream = m.stream();
  const out = stream.push(text.slice(0, 35)) + stream.push(text.slice(35)) + stream.end();
  assertEquals(out, m.mask(text));
  assertEquals(out, '***"***"');
});
