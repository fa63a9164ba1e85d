// Templates as attacks: every payload must fail with a LilyError that has a code and a
// position, and no code may run (the canary stays unset).
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { LilyError } from "../../src/errors.ts";
import { render } from "./_ctx.ts";

const canary = globalThis as { pwned?: unknown };

const PAYLOADS: [string, string][] = [
  // DESIGN.md's classes
  ["range.constructor chain", `{{ range.constructor("globalThis.pwned = 1")() }}`],
  ["string constructor.constructor", `{{ ''.constructor.constructor("globalThis.pwned = 1")() }}`],
  ["cycler", `{{ cycler.constructor("globalThis.pwned = 1")() }}`],
  ["joiner", `{{ joiner().constructor("globalThis.pwned = 1")() }}`],
  ["[].map.constructor", `{{ [].map.constructor("globalThis.pwned = 1")() }}`],
  ["computed x[c][c]", `{% set c = "constructor" %}{{ params[c][c]("globalThis.pwned = 1")() }}`],
  ["__proto__", `{{ params.__proto__ }}`],
  ["call", `{{ range.call(null, 3) }}`],
  ["apply", `{{ range.apply(null, [3]) }}`],
  ["bind", `{{ range.bind(null)(3) }}`],
  // our own
  [
    "concatenated name",
    `{{ params["constr" ~ "uctor"]["constr" ~ "uctor"]("globalThis.pwned = 1")() }}`,
  ],
  ["unicode-escaped name", `{{ params["\\u0063onstructor"] }}`],
  ["toString.constructor", `{{ params.who.toString.constructor("globalThis.pwned = 1")() }}`],
  ["prototype", `{{ range.prototype }}`],
  ["__defineGetter__", `{{ params.__defineGetter__ }}`],
  ["__lookupGetter__", `{{ params.cfg.__lookupGetter__("name") }}`],
  ["bare constructor", `{{ constructor }}`],
  ["frame constructor", `{% set x = 1 %}{{ constructor.constructor("globalThis.pwned = 1")() }}`],
  ["caller", `{{ range.caller }}`],
  ["arguments", `{{ range.arguments }}`],
  ["member of a function", `{{ range.name }}`],
  ["calling a data value", `{{ params.who() }}`],
  ["calling a filter as a function", `{{ shq("x") }}`],
  ["string method", `{{ params.who.toUpperCase() }}`],
  ["filter returning a function", `{{ (params | dictsort)[0].constructor }}`],
  ["include", `{% include "/etc/passwd" %}`],
  ["include with whitespace control", `{%- include "/etc/passwd" -%}`],
  ["import", `{% import "x" as x %}`],
  ["from import", `{% from "x" import y %}`],
  ["extends", `{% extends "base" %}`],
  ["macro recursion", `{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}`],
  ["huge range", `{% for i in range(1e9) %}x{% endfor %}`],
  [
    "nested loops",
    `{% for i in range(5000) %}{% for j in range(5000) %}xxxxxxxx{% endfor %}{% endfor %}`,
  ],
  ["prototype pollution via set", `{% set params.__proto__.polluted = 1 %}x`],
  ["unknown filter (attr)", `{{ params | attr("constructor") }}`],
  ["safe filter removed", `{{ params.who | safe }}`],
  ["random filter removed", `{{ params.list | random }}`],
  ["secret direct", `{{ params.token }}`],
  ["secret computed", `{{ params["tok" ~ "en"] }}`],
  ["secret through tojson", `{{ params | tojson }}`],
  ["secret through a loop", `{% for k, v in params %}{{ v }}{% endfor %}`],
  ["secret through hash", `{{ params | hash }}`],
  ["secret through default", `{{ params.token | default("x") }}`],
  ["env not allowed", `{{ "HOME" | env }}`],
  ["env global not allowed", `{{ env("PATH") }}`],
];

for (const [name, payload] of PAYLOADS) {
  Deno.test(`template attack refused: ${name}`, async () => {
    delete canary.pwned;
    const error = await assertRejects(() => render(payload));
    assert(error instanceof LilyError, `${name}: not a LilyError: ${error}`);
    assert(/^LILY-E04\d\d$/.test(error.code), error.code);
    assert(error.span && error.span.file === "flow.petal" && error.span.line >= 10, "located");
    assertEquals(canary.pwned, undefined, "no code ran");
    assertEquals(({} as Record<string, unknown>).polluted, undefined, "no prototype pollution");
  });
}

Deno.test("secret refusals say how to pass a secret instead", async () => {
  const error = await assertRejects(() => render("curl -H 'X: {{ params.token }}'")) as LilyError;
  assertEquals(error.code, "LILY-E0410");
  assert(error.hint?.includes("type: secret"));
  assertEquals(error.span?.col, 12 + "curl -H 'X: {{ ".length);
});
