// Random scripts from a grammar of the constructs Lily's shell runs (echo, printf, assignments,
// parameter expansion with patterns, arithmetic, if, case, for, while, subshells, groups,
// here-documents, quoting, functions, `set --`, IFS), each run in dash, bash --posix and Lily's shell: Lily must agree
// with one of them (stdout and status). The number of runs is bounded to keep the suite fast;
// a failure prints fast-check's seed and the shrunk script.
import fc from "fast-check";
import { assert } from "../_assert.ts";
import { differential, verdict } from "./conformance/_differential.ts";

const VARS = ["a", "b", "c"];
const name = fc.constantFrom(...VARS);
const atom = fc.stringMatching(/^[a-z][a-z0-9_.]{0,5}$/);
const pattern = fc.oneof(
  atom,
  fc.constantFrom("*", "?", "*.*", "[a-m]*", "*[0-9]", "a*", "*_", ".*", "[!a]?"),
);

const intLit = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map(String),
  fc.constantFrom("2147483647", "2147483648", "4294967296", "9223372036854775807", "0x1f", "010"),
);
const arith: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    intLit,
    name,
    fc.tuple(
      tie("e"),
      fc.constantFrom(
        "+",
        "-",
        "*",
        "/",
        "%",
        "<<",
        ">>",
        "&",
        "|",
        "^",
        "<",
        "==",
        "!=",
        "&&",
        "||",
      ),
      tie("e"),
    ).map(([x, op, y]) => `(${x} ${op} ${y})`),
    fc.tuple(fc.constantFrom("-", "!", "~"), tie("e")).map(([op, x]) => `${op}(${x})`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
  ),
})).e;

const expansion = fc.oneof(
  name.map((n) => `$${n}`),
  name.map((n) => `\${#${n}}`),
  fc.tuple(name, fc.constantFrom(":-", "-", ":+", "+", ":="), atom).map(([n, op, w]) =>
    `\${${n}${op}${w}}`
  ),
  fc.tuple(name, fc.constantFrom("#", "##", "%", "%%"), pattern).map(([n, op, p]) =>
    `\${${n}${op}${p}}`
  ),
  arith.map((e) => `$((${e}))`),
  atom.map((w) => `$(echo ${w})`),
  fc.constantFrom("$1", "$#", "${2:-d}", "$*", "$@"),
);

const word = fc.oneof(
  atom,
  atom.map((w) => `'${w} x'`),
  fc.tuple(atom, expansion).map(([w, e]) => `"${w}${e}"`),
  expansion.map((e) => `"${e}"`),
  expansion,
);

const cond = fc.oneof(
  fc.constantFrom("true", "false", "! false"),
  fc.tuple(word, fc.constantFrom("=", "!="), word).map(([x, op, y]) => `[ ${x} ${op} ${y} ]`),
  fc.tuple(arith, fc.constantFrom("-lt", "-eq", "-ge"), arith).map(([x, op, y]) =>
    `[ $((${x})) ${op} $((${y})) ]`
  ),
  name.map((n) => `[ -n "$${n}" ]`),
);

let loops = 0;
const statement: fc.Arbitrary<string> = fc.letrec<{ s: string; list: string }>((tie) => ({
  list: fc.array(tie("s"), { minLength: 1, maxLength: 3 }).map((xs) => xs.join("\n")),
  s: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => `echo ${ws.join(" ")}`),
    fc.tuple(word, word).map(([x, y]) => `printf '%s|%5.2s|%d\\n' ${x} ${y} $((${loops}))`),
    fc.tuple(name, word).map(([n, w]) => `${n}=${w}`),
    fc.tuple(cond, tie("list"), tie("list")).map(([c, t, e]) =>
      `if ${c}; then\n${t}\nelse\n${e}\nfi`
    ),
    fc.tuple(word, pattern, tie("list"), tie("list")).map(([w, p, x, y]) =>
      `case ${w} in\n${p}|zz) ${x};;\n*) ${y};;\nesac`
    ),
    fc.tuple(name, fc.array(word, { maxLength: 3 }), tie("list")).map(([n, ws, b]) =>
      `for ${n} in ${ws.join(" ")}; do\n${b}\ndone`
    ),
    fc.tuple(fc.integer({ min: 0, max: 3 }), tie("list"), fc.boolean()).map(([k, b, brk]) => {
      const i = `i${loops++}`;
      const exit = brk ? `[ $${i} -eq 1 ] && break\n` : "";
      return `${i}=0\nwhile [ $${i} -lt ${k} ]; do\n${i}=$((${i} + 1))\n${exit}${b}\ndone`;
    }),
    tie("list").map((b) => `(\n${b}\n)`),
    tie("list").map((b) => `{\n${b}\n}`),
    fc.integer({ min: 0, max: 3 }).map((n) => `(exit ${n}) || echo "failed $?"`),
    fc.tuple(word, fc.boolean()).map(([w, q]) => `cat <<${q ? "'EOF'" : "EOF"}\nline ${w} $a\nEOF`),
    // Functions: defined, then called with words; their body sees them as $1, $#, $@.
    fc.tuple(fc.constantFrom("f", "g"), tie("list"), fc.array(word, { maxLength: 3 })).map((
      [f, b, ws],
    ) =>
      `${f}() {\n${b}\nfor arg in "$@"; do echo "<$arg>"; done\n[ $# -gt 0 ] && shift\necho "$#"\n}\n${f} ${
        ws.join(" ")
      }`
    ),
    fc.array(word, { maxLength: 3 }).map((ws) => `set -- ${ws.join(" ")}`),
    // Field splitting on IFS.
    fc.constantFrom("IFS=,", "IFS=.", "IFS=' ,'", "IFS=''", "unset IFS", "IFS=_"),
  ),
})).list;

Deno.test("conformance: random scripts agree with dash or bash --posix", async () => {
  await fc.assert(
    fc.asyncProperty(statement, fc.boolean(), async (body, errexit) => {
      const script = `a=x.y_1; b=2; c=\n${body}\necho "end $a $b $c"\n`;
      const d = await differential(script, { errexit });
      const problem = verdict(d, "any");
      assert(problem === undefined, problem);
    }),
    { numRuns: 100 },
  );
});
