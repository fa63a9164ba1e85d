// The taint check settles most scripts by walking the tree with placeholders and the parsed
// script side by side (no normal forms built). That walk may say "same" only where the
// serialized normal forms (the check's definition) are equal: checked here on scripts of every
// quoting context with values that keep and that break their structure.
import fc from "fast-check";
import { assert } from "../_assert.ts";
import { parseScript } from "../../src/shell/parser.ts";
import { compareForms } from "../../src/template/shell_context.ts";
import { SENTINEL_CLOSE, SENTINEL_OPEN } from "../../src/template/shell_mode.ts";

const NONCE = "q7";
const P = (id: number) => `${SENTINEL_OPEN}${NONCE}${id}${SENTINEL_CLOSE}`;

/** Scripts with placeholders 0 and 1 in every place the taint check classifies. */
const SCRIPTS = [
  `echo "n=${P(0)}-5" >> "$LILY_OUTPUT"`,
  `echo ${P(0)} ${P(1)}`,
  `echo '${P(0)}' "${P(1)}"`,
  `x=${P(0)}; echo "$x${P(1)}"`,
  `cat <<EOF\n${P(0)} and $HOME\nEOF\necho ${P(1)}`,
  `cat <<'EOF'\n${P(0)}\nEOF`,
  `echo $(( ${P(0)} + 1 )) $(echo "${P(1)}")`,
  `if [ -n "${P(0)}" ]; then echo ${P(1)}; fi`,
  `for f in a ${P(0)} b; do echo "$f" > ${P(1)}; done`,
  `case "${P(0)}" in a) echo ${P(1)} ;; esac`,
];

/** Texts for a value: plain, each context's escape, and raw (which may break the script). */
function candidates(value: string): string[] {
  return [
    value,
    `'${value.replaceAll("'", `'\\''`)}'`,
    value.replace(/[$`"\\]/g, "\\$&"),
    `""${value.replace(/[$`"\\]/g, "\\$&")}`,
    /^-?\d+$/.test(value) && value.startsWith("-") ? `(${value})` : value,
  ];
}

Deno.test("the side-by-side walk says 'same' only where the normal forms are equal", () => {
  let walked = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...SCRIPTS),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.constantFrom("a b", "$(x)", "'", "\n", "", "-3", "7"),
      ),
      fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("x;y", "EOF", "*", "~", "a=b")),
      fc.nat(4),
      fc.nat(4),
      (script, v0, v1, c0, c1) => {
        const tree = parseScript(script);
        const texts = [candidates(v0)[c0], candidates(v1)[c1]];
        const escaped = script.replaceAll(P(0), texts[0]).replaceAll(P(1), texts[1]);
        let after;
        try {
          after = parseScript(escaped);
        } catch {
          return; // not a script: the check refuses it before comparing
        }
        for (
          const values of [new Map([[0, v0], [1, v1]]), new Map([[0, texts[0]], [1, texts[1]]])]
        ) {
          const { walk, texts: same } = compareForms(tree, after, NONCE, values);
          assert(!walk || same, `walk said same, forms differ: ${JSON.stringify(escaped)}`);
          if (walk) walked++;
        }
      },
    ),
    { numRuns: 2000 },
  );
  assert(walked > 100, `the walk settled only ${walked} comparisons`);
});

Deno.test("the walk settles a script whose values kept their place", () => {
  const tree = parseScript(SCRIPTS[0]);
  const after = parseScript(`echo "n=720-5" >> "$LILY_OUTPUT"`);
  const result = compareForms(tree, after, NONCE, new Map([[0, "720"]]));
  assert(result.walk && result.texts, JSON.stringify(result));
  const broken = parseScript(`echo "n=7" 20-5 >> "$LILY_OUTPUT"`);
  const refused = compareForms(tree, broken, NONCE, new Map([[0, '7" 20']]));
  assert(!refused.walk && !refused.texts, JSON.stringify(refused));
});

Deno.test("the walk sees scripts that differ only in an operator, a name or a number", () => {
  const pairs = [
    ["a && b", "a || b"],
    ["echo x > f", "echo x >> f"],
    ["echo x > f", "echo x 2> f"],
    ["a | b", "a; b"],
    ["x=1 a", "x=2 a"],
    ["echo ${x:-a}", "echo ${x:=a}"],
    ["echo $x", "echo $y"],
    ["f() { a; }", "g() { a; }"],
    ["echo $((1 + 2))", "echo $((1 - 2))"],
  ];
  for (const [a, b] of pairs) {
    const result = compareForms(parseScript(a), parseScript(b), NONCE, new Map());
    assert(!result.walk && !result.texts, `${a} vs ${b}: ${JSON.stringify(result)}`);
    assert(compareForms(parseScript(a), parseScript(a), NONCE, new Map()).walk, a);
  }
});
