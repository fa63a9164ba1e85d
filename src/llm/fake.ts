/**
 * The `fake` provider: a deterministic answer computed from the request, with no network —
 * for demos, tests and CI. The text is a digest of the request followed by an echo of the
 * prompt; with a declared schema, a JSON value built from the schema (its types, `enum`,
 * `const`, required properties, `minItems`…) that the same validator accepts.
 * @module
 */
import { createHash } from "node:crypto";
import type { LlmAnswer, LlmCall } from "./call.ts";

/** How much of the prompt the fake text echoes (characters). */
const ECHO = 200;

/**
 * The fake answer to `call`: the same call always gets the same answer.
 *
 * @example
 * ```ts
 * import { fakeAnswer } from "./fake.ts";
 * import type { LlmCall } from "./call.ts";
 * const call: LlmCall = { provider: "fake", model: "m", baseUrl: "", stream: false, json: false,
 *   messages: [{ role: "user", content: "hello" }] };
 * const a = fakeAnswer(call);
 * if (a.text !== fakeAnswer(call).text || !a.text.endsWith("hello")) throw new Error(a.text);
 * ```
 */
export function fakeAnswer(call: LlmCall): LlmAnswer {
  const digest = createHash("sha256").update(JSON.stringify({
    model: call.model,
    system: call.system ?? null,
    messages: call.messages,
    temperature: call.temperature ?? null,
    seed: call.seed ?? null,
  })).digest("hex");
  const prompt = call.messages[call.messages.length - 1]?.content ?? "";
  const text = call.json
    ? JSON.stringify(
      call.schema ? valueFor(call.schema, digest) : { answer: `fake-${digest.slice(0, 8)}` },
    )
    : `fake ${digest.slice(0, 12)}: ${prompt.length > ECHO ? `${prompt.slice(0, ECHO)}…` : prompt}`;
  const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
  return {
    text,
    model: `fake:${call.model}`,
    usage: {
      input_tokens: call.messages.reduce((n, m) => n + words(m.content), words(call.system ?? "")),
      output_tokens: words(text),
    },
    streamed: false,
  };
}

/** A value satisfying the common JSON Schema keywords, chosen from `seed` (deterministic). */
export function valueFor(schema: unknown, seed: string, depth = 0): unknown {
  if (schema === true || schema === undefined || depth > 8) return null;
  if (typeof schema !== "object" || schema === null) return null;
  const s = schema as Record<string, unknown>;
  if (Object.hasOwn(s, "const")) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) {
    return s.enum[parseInt(seed.slice(0, 6), 16) % s.enum.length];
  }
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = s[key];
    if (Array.isArray(list) && list.length) {
      if (key === "allOf") {
        const merged = Object.assign({}, ...list.filter((x) => typeof x === "object"), {
          ...s,
          allOf: undefined,
        });
        return valueFor(merged, seed, depth + 1);
      }
      return valueFor(list[0], seed, depth + 1);
    }
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") ?? s.type[0] : s.type;
  const kind = type ?? (s.properties ? "object" : s.items ? "array" : "string");
  switch (kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? s.required.map(String) : Object.keys(props);
      for (const name of required) {
        out[name] = valueFor(props[name] ?? true, `${seed.slice(2)}${seed.slice(0, 2)}`, depth + 1);
      }
      return out;
    }
    case "array": {
      const n = Math.max(typeof s.minItems === "number" ? s.minItems : 1, 1);
      const max = typeof s.maxItems === "number" ? s.maxItems : n;
      return Array.from(
        { length: Math.min(n, max) },
        (_, i) => valueFor(s.items ?? {}, `${seed.slice(i + 1)}${seed.slice(0, i + 1)}`, depth + 1),
      );
    }
    case "integer":
    case "number": {
      const min = typeof s.minimum === "number" ? s.minimum : 0;
      const max = typeof s.maximum === "number" ? s.maximum : min + 100;
      const n = min + parseInt(seed.slice(0, 4), 16) % (Math.floor(max - min) + 1);
      return kind === "integer" ? Math.ceil(n) : n;
    }
    case "boolean":
      return parseInt(seed[0], 16) % 2 === 0;
    case "null":
      return null;
    default: {
      const min = typeof s.minLength === "number" ? s.minLength : 0;
      const base = `fake-${seed.slice(0, 8)}`;
      const text = base.length >= min ? base : base.padEnd(min, "x");
      return typeof s.maxLength === "number" ? text.slice(0, s.maxLength) : text;
    }
  }
}
