// The shell parser: the structure it builds for the language it runs, and the refusal, with a
// position and a hint, of what it does not run.
import { assert, assertEquals, assertMatch } from "../_assert.ts";
import type { Case, Command, List, Simple, Word } from "../../src/shell/ast.ts";
import { lineCol, parseScript, ShellSyntaxError } from "../../src/shell/parser.ts";

/** The AST as plain JSON, for exact comparisons. */
function json(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The error a script fails to parse with; fails the test when it parses or throws another. */
function syntaxError(script: string): ShellSyntaxError {
  const shown = JSON.stringify(script.length > 60 ? script.slice(0, 60) + "…" : script);
  try {
    parseScript(script);
  } catch (error) {
    assert(error instanceof ShellSyntaxError, `${shown}: ${error}`);
    return error;
  }
  throw new Error(`${shown} parsed without an error`);
}

/** The only command of a one-command script. */
function only(script: string): Command {
  const list = parseScript(script);
  assertEquals(list.items.length, 1);
  assertEquals(list.items[0].rest.length, 0);
  assertEquals(list.items[0].first.commands.length, 1);
  return list.items[0].first.commands[0];
}

function simple(script: string): Simple {
  const command = only(script);
  assertEquals(command.kind, "simple");
  return command as Simple;
}

/** The literal text of each word of a simple command (fails on an expansion). */
function literals(words: Word[]): string[] {
  return words.map((w) =>
    w.parts.map((p) => {
      if (p.kind !== "lit") throw new Error(`not a literal: ${JSON.stringify(p)}`);
      return p.text;
    }).join("")
  );
}

/** The names of the simple commands of a list, in order, one list per item. */
function names(list: List): string[][] {
  return list.items.map((item) =>
    [item.first, ...item.rest.map((r) => r.pipeline)].flatMap((p) =>
      p.commands.map((c) => literals((c as Simple).words)[0])
    )
  );
}

// Lists and pipelines ---------------------------------------------------------------------

Deno.test("parser: `;` and newlines separate the items of a list", () => {
  assertEquals(names(parseScript("a; b\nc\n\n d ;")), [["a"], ["b"], ["c"], ["d"]]);
});

Deno.test("parser: `&&` and `||` join pipelines left to right in one item", () => {
  const list = parseScript("a && b || c");
  assertEquals(list.items.length, 1);
  assertEquals(list.items[0].rest.map((r) => r.op), ["&&", "||"]);
  assertEquals(names(list), [["a", "b", "c"]]);
});

Deno.test("parser: a newline may follow `&&`, `||` and `|`", () => {
  assertEquals(names(parseScript("a &&\n b ||\n\n c")), [["a", "b", "c"]]);
  assertEquals(parseScript("a |\n b").items[0].first.commands.length, 2);
});

Deno.test("parser: `|&` marks the link that also carries stderr", () => {
  const p = parseScript("a | b |& c").items[0].first;
  assertEquals(p.commands.length, 3);
  assertEquals(p.stderrToo, [false, true]);
});

Deno.test("parser: `!` negates the whole pipeline", () => {
  const p = parseScript("! a | b").items[0].first;
  assertEquals(p.negated, true);
  assertEquals(p.commands.length, 2);
  assertEquals(parseScript("a").items[0].first.negated, false);
});

Deno.test("parser: `!` glued to a word is part of the word", () => {
  const cmd = simple("!a");
  assertEquals(literals(cmd.words), ["!a"]);
});

// Words and quoting -----------------------------------------------------------------------

Deno.test("parser: single quotes keep everything literal, `$` and `\\` included", () => {
  const cmd = simple("echo 'a $X \\n `b`'");
  assertEquals(json(cmd.words[1].parts), [{ kind: "lit", text: "a $X \\n `b`", quoted: true }]);
});

Deno.test("parser: double quotes keep expansions and mark them quoted", () => {
  const cmd = simple('echo "a $X"');
  assertEquals(json(cmd.words[1].parts), [
    { kind: "lit", text: "a ", quoted: true },
    { kind: "param", name: "X", op: null, arg: null, quoted: true, pos: 8 },
  ]);
});

Deno.test('parser: a backslash in double quotes escapes only $ ` " \\ and newline', () => {
  const cmd = simple('echo "\\$ \\` \\" \\\\ \\n"');
  assertEquals(literals([cmd.words[1]]), ['$ ` " \\ \\n']);
});

Deno.test("parser: an unquoted backslash quotes the next character", () => {
  const cmd = simple("echo a\\ b \\*");
  assertEquals(literals(cmd.words.slice(1)), ["a b", "*"]);
  assertEquals(json(cmd.words[2].parts), [{ kind: "lit", text: "*", quoted: true }]);
});

Deno.test("parser: quoted and unquoted pieces glue into one word", () => {
  const cmd = simple("echo 'a'\"b\"c\\d");
  assertEquals(cmd.words.length, 2);
  assertEquals(literals([cmd.words[1]]), ["abcd"]);
  assertEquals(cmd.words[1].parts.map((p) => p.kind === "lit" && p.quoted), [
    true,
    true,
    false,
    true,
  ]);
});

Deno.test('parser: `""` is a word with one empty quoted part', () => {
  const cmd = simple('echo ""');
  assertEquals(json(cmd.words[1].parts), [{ kind: "lit", text: "", quoted: true }]);
});

Deno.test("parser: `#` starts a comment only at the start of a word", () => {
  assertEquals(literals(simple("echo a#b # the rest\n").words), ["echo", "a#b"]);
  assertEquals(names(parseScript("# only a comment\nx # trailing")), [["x"]]);
});

Deno.test("parser: a backslash-newline joins lines, inside a word and between words", () => {
  assertEquals(literals(simple("echo ab\\\ncd").words), ["echo", "abcd"]);
  assertEquals(literals(simple("echo ab \\\n cd").words), ["echo", "ab", "cd"]);
});

Deno.test("parser: `~` at the start of a word is a tilde part, elsewhere a letter", () => {
  assertEquals(json(simple("echo ~/x").words[1].parts), [
    { kind: "tilde" },
    { kind: "lit", text: "/x", quoted: false },
  ]);
  assertEquals(literals([simple("echo a~").words[1]]), ["a~"]);
  assertEquals(literals([simple('echo "~"').words[1]]), ["~"]);
});

Deno.test("parser: a `$` not followed by a name is literal", () => {
  assertEquals(literals(simple("echo $ a$ $.").words), ["echo", "$", "a$", "$."]);
});

Deno.test("parser: `NAME=value` before the command name are assignments, after it words", () => {
  const cmd = simple("A=1 B= cmd C=3");
  assertEquals(cmd.assigns.map((a) => a.name), ["A", "B"]);
  assertEquals(literals(cmd.assigns.map((a) => a.value)), ["1", ""]);
  assertEquals(literals(cmd.words), ["cmd", "C=3"]);
});

// Expansions ------------------------------------------------------------------------------

Deno.test("parser: `$(…)` holds a parsed list with its offset", () => {
  const cmd = simple("echo $(a | b; c)");
  const part = cmd.words[1].parts[0];
  assert(part.kind === "cmdsub");
  assertEquals(part.pos, 5);
  assertEquals(part.quoted, false);
  assertEquals(part.body.items.length, 2);
  assertEquals(part.body.items[0].first.commands.length, 2);
});

Deno.test("parser: a backtick substitution holds a parsed list", () => {
  const part = simple("echo `a b`").words[1].parts[0];
  assert(part.kind === "cmdsub");
  assertEquals(part.pos, 5);
  assertEquals(names(part.body), [["a"]]);
});

Deno.test("parser: commands inside backticks keep their offsets in the script", () => {
  const part = simple("echo `uname -a`").words[1].parts[0];
  assert(part.kind === "cmdsub");
  // `uname` starts at offset 6, after "echo `".
  assertEquals(part.body.items[0].first.commands[0].pos, 6);
});

Deno.test("parser: `$((…))` keeps its expression as a word, with expansions inside", () => {
  const part = simple("echo $((1 + $N * (2)))").words[1].parts[0];
  assert(part.kind === "arith");
  assertEquals(json(part.expr.parts), [
    { kind: "lit", text: "1 + ", quoted: true },
    { kind: "param", name: "N", op: null, arg: null, quoted: true, pos: 12 },
    { kind: "lit", text: " * (2)", quoted: true },
  ]);
});

Deno.test("parser: `${X:-y}` and its family keep the operator and the word", () => {
  for (const op of [":-", "-", ":+", "+", ":=", "=", ":?", "?"]) {
    const part = simple(`echo \${X${op}y z}`).words[1].parts[0];
    assert(part.kind === "param", op);
    assertEquals(part.name, "X");
    assertEquals(part.op, op);
    assertEquals(literals([part.arg!]), ["y z"]);
  }
});

Deno.test("parser: `${#X}` is the length operator and `${X}` a plain parameter", () => {
  const [len, plain] = simple("echo ${#X} ${X}").words.slice(1).map((w) => w.parts[0]);
  assert(len.kind === "param" && plain.kind === "param");
  assertEquals([len.name, len.op], ["X", "#"]);
  assertEquals([plain.name, plain.op], ["X", null]);
});

Deno.test("parser: special parameters `$?` `$$` `$#` are parameters", () => {
  const parts = simple("echo $? $$ $#").words.slice(1).map((w) => w.parts[0]);
  assertEquals(parts.map((p) => p.kind === "param" && p.name), ["?", "$", "#"]);
});

// Redirections ----------------------------------------------------------------------------

Deno.test("parser: each redirection form gives its descriptor, operator and target", () => {
  const cmd = simple("a 2>&1 >&2 &>> f > /dev/null < in 2> e >> ap &> both");
  const shape = cmd.redirects.map((r) => [
    r.fd,
    r.op,
    r.dup,
    r.target && literals([r.target])[0],
  ]);
  assertEquals(shape, [
    [2, ">", 1, null],
    [1, ">", 2, null],
    ["&", ">>", null, "f"],
    [1, ">", null, "/dev/null"],
    [0, "<", null, "in"],
    [2, ">", null, "e"],
    [1, ">>", null, "ap"],
    ["&", ">", null, "both"],
  ]);
  assertEquals(literals(cmd.words), ["a"]);
});

Deno.test("parser: a redirection may come before the command name", () => {
  const cmd = simple("> out echo hi");
  assertEquals(literals(cmd.words), ["echo", "hi"]);
  assertEquals(cmd.redirects.length, 1);
});

Deno.test("parser: compound commands take redirections after their end", () => {
  const group = only("{ a; } > f 2>&1");
  assertEquals(group.kind, "group");
  assertEquals(group.redirects.length, 2);
  assertEquals(only("( a ) < in").redirects[0].op, "<");
  assertEquals(only("for x in a; do b; done >> log").redirects[0].op, ">>");
});

// Compound commands -----------------------------------------------------------------------

Deno.test("parser: if / elif / else / fi gives clauses and an otherwise", () => {
  const cmd = only("if a; then b; elif c\nthen d; else e; fi");
  assert(cmd.kind === "if");
  assertEquals(cmd.clauses.map((c) => [names(c.cond), names(c.body)]), [
    [[["a"]], [["b"]]],
    [[["c"]], [["d"]]],
  ]);
  assertEquals(names(cmd.otherwise!), [["e"]]);
  const bare = only("if a; then b; fi");
  assert(bare.kind === "if");
  assertEquals(bare.otherwise, null);
});

Deno.test("parser: for NAME in words; do … done keeps the name and the words", () => {
  const cmd = only("for f in a 'b c' $X; do echo $f; done");
  assert(cmd.kind === "for");
  assertEquals(cmd.name, "f");
  assertEquals(cmd.items.length, 3);
  assertEquals(cmd.body.items.length, 1);
  const empty = only("for f in\ndo :; done");
  assert(empty.kind === "for");
  assertEquals(empty.items, []);
});

Deno.test("parser: while and until share a node that says which one it is", () => {
  const w = only("while a; do b; done");
  const u = only("until a\ndo b\ndone");
  assert(w.kind === "while" && u.kind === "while");
  assertEquals([w.until, u.until], [false, true]);
  assertEquals(names(u.cond), [["a"]]);
  assertEquals(names(u.body), [["b"]]);
});

Deno.test("parser: `( … )` is a subshell and `{ …; }` a group", () => {
  const sub = only("(a; b)");
  const group = only("{ a; b; }");
  assert(sub.kind === "subshell" && group.kind === "group");
  assertEquals(names(sub.body), [["a"], ["b"]]);
  assertEquals(names(group.body), [["a"], ["b"]]);
});

Deno.test("parser: a reserved word is only reserved where a command starts", () => {
  assertEquals(literals(simple("echo if then fi done").words), [
    "echo",
    "if",
    "then",
    "fi",
    "done",
  ]);
  assertEquals(literals(simple("iffy").words), ["iffy"]);
});

Deno.test("parser: `}` glued to a word is part of it, so the group stays open", () => {
  const error = syntaxError("{ echo a}");
  assertEquals(error.pos, 0);
  assertMatch(error.message, /`\{` is not closed/);
});

Deno.test("parser: nodes keep the offsets of their first character", () => {
  const list = parseScript("a;  b x\n  if c; then d; fi");
  const [first, second, third] = list.items.map((i) => i.first.commands[0]);
  assertEquals([first.pos, second.pos, third.pos], [0, 4, 10]);
  assertEquals((second as Simple).words[1].pos, 6);
});

// Refusals --------------------------------------------------------------------------------

Deno.test("parser: a background `&` is refused at the `&`, with a hint", () => {
  const error = syntaxError("echo a & echo b");
  assertEquals(error.pos, 7);
  assertMatch(error.message, /background/);
  assertMatch(error.hint!, /needs:/);
  assertEquals(syntaxError("sleep 1 &").pos, 8);
  assertEquals(syntaxError("{ x & }").pos, 4);
});

Deno.test("parser: a here-document's node holds its body, quoting and source offsets", () => {
  const script = "cat <<EOF; cat <<-'E2'\nhi $x\nEOF\n\tlit $y\n\tE2\necho after";
  const list = parseScript(script);
  const first = (list.items[0].first.commands[0] as Simple).redirects[0];
  const second = (list.items[1].first.commands[0] as Simple).redirects[0];
  assertEquals(first.op, "<<");
  assertEquals(first.heredoc!.delimiter, "EOF");
  assertEquals(first.heredoc!.quoted, false);
  assertEquals(script.slice(first.heredoc!.bodyStart, first.heredoc!.bodyEnd), "hi $x\n");
  assertEquals(first.heredoc!.body.parts.map((p) => p.kind), ["lit", "param", "lit"]);
  const param = first.heredoc!.body.parts[1] as { pos: number };
  assertEquals(script.slice(param.pos, param.pos + 2), "$x");
  assertEquals(second.heredoc!.quoted, true);
  assertEquals(second.heredoc!.stripTabs, true);
  assertEquals(second.heredoc!.body.parts, [{ kind: "lit", text: "lit $y\n", quoted: true }]);
  const at = second.heredoc!.delimiterPos;
  assertEquals(script.slice(at, at + 4), "'E2'");
  assertEquals(list.items.length, 3);
});

Deno.test("parser: a here-document without its delimiter line is refused at the `<<`", () => {
  const error = syntaxError("echo a\ncat <<EOF\nx\n");
  assertEquals(error.pos, 11);
  assertMatch(error.message, /here-document `EOF` is not closed/);
  assertEquals(syntaxError("cat <<EOF").pos, 4);
});

Deno.test("parser: bash's here-string `<<<` is refused at the `<<`", () => {
  const error = syntaxError("cat <<<word");
  assertEquals(error.pos, 4);
  assertMatch(error.message, /<<</);
});

Deno.test("parser: `case` parses its word, patterns and bodies; bash's `;&` is refused", () => {
  const list = parseScript("case $x in\n(a|b*) echo 1;;\n*) ;;\nesac");
  const c = list.items[0].first.commands[0] as Case;
  assertEquals(c.kind, "case");
  assertEquals(c.items.map((i) => i.patterns.length), [2, 1]);
  assertEquals(c.items[1].body.items.length, 0);
  const error = syntaxError("case x in a) echo;& b) ;; esac");
  assertEquals(error.pos, 17);
  assertMatch(error.message, /bash/);
  assertEquals(syntaxError("case x in a) echo\n").pos, 0);
});

Deno.test("parser: `;;` is refused at its first `;`", () => {
  const error = syntaxError("echo a;; echo b");
  assertEquals(error.pos, 6);
  assertMatch(error.message, /case/);
});

Deno.test("parser: `f() compound` defines a function; bash's `function f` is refused with a hint", () => {
  const def = parseScript("f () { echo; } >out").items[0].first.commands[0];
  assert(def.kind === "function" && def.name === "f" && def.body.kind === "group");
  assertEquals(def.body.redirects.length, 1);
  const keyword = syntaxError("function f { :; }");
  assertEquals(keyword.pos, 0);
  assertMatch(keyword.hint!, /NAME\(\)/);
  // A simple command is not a function body (POSIX), and a reserved word is not a name.
  assertEquals(syntaxError("true; f() echo hi").pos, 10);
  assertMatch(syntaxError("f() echo hi").message, /compound/);
  assertEquals(syntaxError("f()").pos, 0);
  syntaxError("x; if() { :; }");
});

Deno.test("parser: `[[ … ]]` is refused at `[[`, with a hint towards `[`", () => {
  const error = syntaxError("true && [[ -f x ]]");
  assertEquals(error.pos, 8);
  assertMatch(error.hint!, /\[ … \]/);
});

Deno.test("parser: `(( … ))` is refused with a hint towards `$((…))`", () => {
  const error = syntaxError("((x++))");
  assertEquals(error.pos, 0);
  assertMatch(error.hint!, /\$\(\(/);
});

Deno.test("parser: an unclosed single quote is refused at the quote", () => {
  const error = syntaxError("echo ok 'abc");
  assertEquals(error.pos, 8);
  assertMatch(error.message, /'.* not closed/);
});

Deno.test("parser: an unclosed double quote is refused at the quote", () => {
  const error = syntaxError('echo "abc\ndef');
  assertEquals(error.pos, 5);
  assertMatch(error.message, /".* not closed/);
});

Deno.test("parser: an unclosed `(` is refused at the `(`", () => {
  const error = syntaxError("true; (echo a");
  assertEquals(error.pos, 6);
  assertMatch(error.message, /not closed/);
});

Deno.test("parser: an unclosed `$(` is refused at the `$`", () => {
  const error = syntaxError("echo $(echo a");
  assertEquals(error.pos, 5);
  assertMatch(error.message, /\$\(.* not closed/);
});

Deno.test("parser: an unclosed `${X:-…` is refused at the `$`", () => {
  const error = syntaxError("echo ${X:-abc");
  assertEquals(error.pos, 5);
  assertMatch(error.message, /not closed/);
});

Deno.test("parser: an unclosed `${X` is refused at the `$` as not closed", () => {
  const error = syntaxError("echo ${X");
  assertEquals(error.pos, 5);
  assertMatch(error.message, /not closed/);
});

Deno.test("parser: an unclosed backtick and `$((` are refused at their start", () => {
  assertEquals(syntaxError("echo `abc").pos, 5);
  assertEquals(syntaxError("echo $((1 + 2").pos, 5);
});

Deno.test('parser: `for` without `in` loops over "$@"', () => {
  for (const script of ["for x; do echo $x; done", "for x do :; done"]) {
    const loop = parseScript(script).items[0].first.commands[0];
    assert(loop.kind === "for" && loop.items.length === 1);
    const part = loop.items[0].parts[0];
    assert(part.kind === "param" && part.name === "@" && part.quoted);
  }
});

Deno.test("parser: unterminated compound commands are refused at their keyword", () => {
  assertMatch(syntaxError("if a; then b").message, /fi/);
  assertMatch(syntaxError("while a; do b").message, /done/);
  assertMatch(syntaxError("until a").message, /do/);
  assertEquals(syntaxError("x; { a").pos, 3);
});

Deno.test("parser: a missing command after an operator is refused at the end", () => {
  assertEquals(syntaxError("echo a |").pos, 8);
  assertEquals(syntaxError("echo a &&").pos, 9);
  assertEquals(syntaxError("; echo").pos, 0);
});

Deno.test("parser: descriptors other than 0, 1, 2 and a redirection without a file are refused", () => {
  assertMatch(syntaxError("echo 3>f").message, /descriptor 3/);
  assertEquals(syntaxError("echo a >").pos, 7);
});

Deno.test("parser: a syntax error inside backticks points into the script", () => {
  // The `&` is at offset 8 of the script, offset 2 of the backtick's body.
  assertEquals(syntaxError("echo `a &`").pos, 8);
});

Deno.test("parser: a syntax error inside `$(…)` points into the script", () => {
  assertEquals(syntaxError('echo "$(a &)"').pos, 10);
});

Deno.test("parser: deep nesting of `$(` is refused with a syntax error", () => {
  const error = syntaxError("echo " + "$(".repeat(1000));
  assertMatch(error.message, /nests deeper/);
  assertEquals(error.code, "LILY-E0650");
});

Deno.test("parser: deep nesting of `${X:-` is refused with a syntax error, not a crash", () => {
  // 250 000 characters, within the length the parser accepts.
  syntaxError("echo " + "${X:-".repeat(50_000));
});

Deno.test("parser: a script over the length limit is refused at offset 0", () => {
  const error = syntaxError("#".repeat((1 << 20) + 1));
  assertEquals(error.pos, 0);
});

Deno.test("lineCol: offsets map to 1-based lines and columns", () => {
  const text = "echo a\n  echo b &\n";
  assertEquals(lineCol(text, 0), { line: 1, col: 1 });
  assertEquals(lineCol(text, 6), { line: 1, col: 7 });
  assertEquals(lineCol(text, 7), { line: 2, col: 1 });
  assertEquals(lineCol(text, syntaxError(text).pos), { line: 2, col: 10 });
});
