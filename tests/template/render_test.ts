import fc from "fast-check";
import { assert, assertEquals, assertMatch, assertRejects } from "../_assert.ts";
import { LilyError } from "../../src/errors.ts";
import { shellQuote } from "../../src/template/mod.ts";
import { context, render } from "./_ctx.ts";
import { skipUnless } from "../_tools.ts";

Deno.test("params and vars render; numbers and booleans as text", async () => {
  assertEquals(
    (await render("{{ params.who }} {{ params.n }} {{ params.on }} {{ vars.out }}")).text,
    "world 3 true out/3",
  );
  assertEquals((await render("{{ params.cfg.deep.v }}")).text, "1");
});

Deno.test("nunjucks' pure filters and control flow work", async () => {
  assertEquals((await render('{{ params.list | join(",") | upper }}')).text, "A,B");
  assertEquals((await render("{% for x in params.list %}[{{ x }}]{% endfor %}")).text, "[a][b]");
  assertEquals((await render("{% if params.n > 2 %}big{% else %}small{% endif %}")).text, "big");
  assertEquals((await render('{{ params.missing | default("d") }}')).text, "d");
  assertEquals((await render('{{ "  x " | trim | length }}')).text, "1");
  assertEquals((await render("{{ params.cfg | tojson }}")).text, '{"deep":{"v":1},"name":"x"}');
});

Deno.test("Lily's filters", async () => {
  assertEquals((await render('{{ "x" | hash(8) }}')).text, "2d711642");
  assertEquals(
    (await render('{{ "a/b/c.txt" | basename }} {{ "a/b/c.txt" | dirname }}')).text,
    "c.txt a/b",
  );
  assertEquals(
    (await render('{{ "out" | joinpath(params.who, "x.mp4") }}')).text,
    "out/world/x.mp4",
  );
  assertEquals((await render('{{ "sub/../a" | relpath }}')).text, "a");
  assertEquals((await render('{{ "USER" | env }} {{ env("USER") }}')).text, "lily lily");
  assertEquals((await render("{{ params.who | shq }}")).text, "world");
  assertEquals((await render('{{ "it\'s" | shq }}')).text, `'it'\\''s'`);
});

Deno.test("now honours SOURCE_DATE_EPOCH and is recorded", async () => {
  const out = await render('{{ now() }} {{ now("%Y%m%d") }} {{ "" | now("unix") }}');
  assertEquals(out.text, "2023-11-14T22:13:20Z 20231114 1700000000");
  assertEquals(out.effects.now, true);
});

Deno.test("uuid is name-based unless random, and random is recorded", async () => {
  const a = await render('{{ "x" | uuid }}');
  const b = await render('{{ "x" | uuid }}');
  assertEquals(a.text, b.text);
  assertMatch(a.text, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assertEquals(a.effects.randomUuid, false);
  const r = await render('{{ uuid("random") }}');
  assertEquals(r.effects.randomUuid, true);
  const other = await render('{{ "x" | uuid }}', context({ seed: "other" }));
  assert(other.text !== a.text, "the seed (workflow + field) namespaces uuids");
});

Deno.test("abspath is recorded as machine-dependent; env reads are recorded", async () => {
  const out = await render('{{ "a.txt" | abspath }} {{ "USER" | env }}');
  assertEquals(out.text, "/project/a.txt lily");
  assertEquals(out.effects.machinePath, true);
  assertEquals(out.effects.envRead, ["USER"]);
});

Deno.test("undefined names suggest the closest, with the column", async () => {
  const error = await assertRejects(() => render("run {{ params.whom }}")) as LilyError;
  assertEquals([error.code, error.span?.col], ["LILY-E0403", 12 + "run {{ ".length]);
  assertMatch(error.hint ?? "", /did you mean `params.who`/);
  const nested = await assertRejects(() =>
    render("{% if true %}{{ params.whom }}{% endif %}")
  ) as LilyError;
  assertEquals(nested.code, "LILY-E0403");
});

Deno.test("rendering a map or list asks for tojson/join", async () => {
  const error = await assertRejects(() => render("{{ params.cfg }}")) as LilyError;
  assertEquals(error.code, "LILY-E0406");
  assertMatch(error.hint ?? "", /tojson/);
  const list = await assertRejects(() =>
    render("{% if true %}{{ params.list }}{% endif %}")
  ) as LilyError;
  assertEquals(list.code, "LILY-E0406");
});

Deno.test("unknown filters and syntax errors are located errors", async () => {
  const filter = await assertRejects(() => render("{{ params.who | uper }}")) as LilyError;
  assertEquals(filter.code, "LILY-E0407");
  assertMatch(filter.hint ?? "", /did you mean `upper`/);
  const syntax = await assertRejects(() => render("{{ params.who ")) as LilyError;
  assertEquals(syntax.code, "LILY-E0401");
});

Deno.test("the fast path and nunjucks agree on simple templates", async () => {
  const paths = [
    "params.who",
    "params.n",
    "params.on",
    "vars.out",
    "params.cfg.name",
    "params.nope",
    "params.nothing",
    "params.token",
    "params.cfg",
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.tuple(
          fc.string({ maxLength: 6 }).filter((s) => !/[{}%#]/.test(s)),
          fc.constantFrom(...paths),
          fc.boolean(),
        ),
        { minLength: 1, maxLength: 4 },
      ),
      async (parts) => {
        const simple = parts.map(([text, path, q]) => `${text}{{ ${path}${q ? " | shq" : ""} }}`)
          .join("");
        // The same template forced through nunjucks by a no-op tag.
        const forced = `{% if true %}${simple}{% endif %}`;
        const outcome = async (t: string) => {
          try {
            return { text: (await render(t)).text };
          } catch (error) {
            assert(error instanceof LilyError, String(error));
            return { code: error.code };
          }
        };
        assertEquals(await outcome(simple), await outcome(forced));
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test({
  name: "shq output is one shell word equal to its input (real sh, dash, bash)",
  ignore: skipUnless("sh", "dash", "bash"),
  fn: async () => {
    const samples = fc.sample(
      fc.string({ unit: "binary", maxLength: 20 }).map((s) => s.replace(/\0/g, "")),
      60,
    );
    samples.push("", "'", "''", "a b", "$(id)", "`id`", "\\", "\n", "-n", "*", "~", "a'b\"c");
    for (const shell of ["sh", "dash", "bash"]) {
      const script = samples.map((s) => `printf '%s\\0' ${shellQuote(s)}`).join("\n");
      const out = await new Deno.Command(shell, { args: ["-c", script], stdout: "piped" }).output();
      const words = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
      assertEquals(words, samples, shell);
    }
  },
});

Deno.test("the shell's ${#x} stays text, not a template comment; {# comments #} still work", async () => {
  assertEquals((await render("n=${#X} who={{ params.who }}")).text, "n=${#X} who=world");
  assertEquals((await render("a{# a comment #}b")).text, "ab");
  // A template already using raw blocks is left as written.
  assertEquals((await render("{% raw %}${#X}{% endraw %}")).text, "${#X}");
});
