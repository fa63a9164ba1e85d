/**
 * The code arguments of known interpreters: awk's program text, a sed script, `python -c`,
 * `perl -e`, `node -e`, a jq filter… A template value there is code for that interpreter
 * (awk's `system()`, sed's `e` flag and Python's `os.system` start `/bin/sh`), whatever shell
 * quoting it gets; compose refuses it (LILY-E0637) and says how to pass the value as data.
 * @module
 */

/** An interpreter whose code arguments are recognised, and how to give it data instead. */
export interface Interpreter {
  /** Indices of the words (0 = the command name) that the interpreter runs as code. */
  codeWords(words: (string | undefined)[]): number[];
  /** How to pass `$LILY_INPUT_<NAME>` as data instead (`NAME` is substituted). */
  data: string;
}

const OPT = /^-/;

/** awk: `-f` means no program operand; `-e`/`--source` (gawk) is code; else the first operand. */
function awkCode(words: (string | undefined)[]): number[] {
  const out: number[] = [];
  let fromFile = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      if (!fromFile && out.length === 0 && i + 1 < words.length) out.push(i + 1);
      return out;
    }
    if (w !== undefined && /^-(v|F|i|l)$/.test(w)) {
      i++;
      continue;
    }
    if (w !== undefined && /^(-f|--file)$/.test(w)) {
      fromFile = true;
      i++;
      continue;
    }
    if (w !== undefined && /^(-f|--file=)/.test(w)) {
      fromFile = true;
      continue;
    }
    if (w !== undefined && /^(-e|--source)$/.test(w)) {
      out.push(i + 1);
      fromFile = true;
      i++;
      continue;
    }
    if (w !== undefined && /^(-e|--source=)/.test(w)) {
      out.push(i);
      fromFile = true;
      continue;
    }
    if (w !== undefined && OPT.test(w) && w !== "-") continue;
    if (!fromFile) out.push(i);
    return out;
  }
  return out;
}

/** sed: `-e X`/`--expression=X` are code; without `-e`/`-f`, the first operand is. */
function sedCode(words: (string | undefined)[]): number[] {
  const out: number[] = [];
  let scripted = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      if (!scripted && i + 1 < words.length) out.push(i + 1);
      return out;
    }
    if (w !== undefined && /^-[A-Za-z]*e$|^--expression$/.test(w)) {
      out.push(i + 1);
      scripted = true;
      i++;
      continue;
    }
    if (w !== undefined && /^-[A-Za-z]*e.|^--expression=/.test(w) && !/^-i/.test(w)) {
      out.push(i);
      scripted = true;
      continue;
    }
    if (w !== undefined && /^-[A-Za-z]*f$|^--file$/.test(w)) {
      scripted = true;
      i++;
      continue;
    }
    if (w !== undefined && /^-l$|^--line-length$/.test(w)) {
      i++;
      continue;
    }
    if (w !== undefined && /^-[A-Za-z]*f.|^--file=/.test(w) && !/^-i/.test(w)) {
      scripted = true;
      continue;
    }
    if (w !== undefined && OPT.test(w)) continue;
    if (!scripted) out.push(i);
    return out;
  }
  return out;
}

/** The word after any option cluster ending in one of `letters` (`-c`, `-ne`, `-Bc`). */
function afterFlag(letters: string, long: string[] = []) {
  const cluster = new RegExp(`^-[A-Za-z]*[${letters}]$`);
  return (words: (string | undefined)[]): number[] => {
    const out: number[] = [];
    for (let i = 1; i < words.length; i++) {
      const w = words[i];
      if (w === "--" || w === undefined || !OPT.test(w)) break;
      if (cluster.test(w) || long.includes(w)) out.push(++i);
      else if (long.some((l) => w.startsWith(`${l}=`))) out.push(i);
    }
    return out.filter((i) => i < words.length);
  };
}

/** jq: the first operand is the filter, unless `-f`/`--from-file` gives it. */
function jqCode(words: (string | undefined)[]): number[] {
  const takes: Record<string, number> = {
    "--arg": 2,
    "--argjson": 2,
    "--slurpfile": 2,
    "--rawfile": 2,
    "--indent": 1,
    "-L": 1,
  };
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === "--") return i + 1 < words.length ? [i + 1] : [];
    if (w === "-f" || w === "--from-file") return [];
    if (w !== undefined && takes[w]) {
      i += takes[w];
      continue;
    }
    if (w !== undefined && OPT.test(w)) continue;
    return [i];
  }
  return [];
}

const AWK: Interpreter = {
  codeWords: awkCode,
  data: 'awk -v %N%="$%ENV%" \'{ print %N% }\' (or ENVIRON["%ENV%"] in the program)',
};
const PYTHON: Interpreter = {
  codeWords: afterFlag("c"),
  data: 'python3 -c \'import sys; print(sys.argv[1])\' "$%ENV%" (or os.environ["%ENV%"])',
};
const PERL: Interpreter = {
  codeWords: afterFlag("eE"),
  data: "perl -e 'print $ENV{%ENV%}' (or $ARGV[0] with \"$%ENV%\" as an argument)",
};
const RUBY: Interpreter = {
  codeWords: afterFlag("e"),
  data: "ruby -e 'puts ENV[\"%ENV%\"]' (or ARGV[0])",
};
const NODE: Interpreter = {
  codeWords: afterFlag("ep", ["--eval", "--print"]),
  data: "node -e 'console.log(process.env.%ENV%)'",
};

/** Interpreters by command name. */
export const INTERPRETERS: ReadonlyMap<string, Interpreter> = new Map([
  ...["awk", "gawk", "mawk", "nawk"].map((n): [string, Interpreter] => [n, AWK]),
  ...["sed", "gsed"].map((n): [string, Interpreter] => [n, {
    codeWords: sedCode,
    data: "awk -v %N%=\"$%ENV%\" '{ gsub(/x/, %N%) } 1' (sed has no way to take a value as data)",
  }]),
  ...["python", "python2", "python3", "pypy", "pypy3"].map((n): [string, Interpreter] => [
    n,
    PYTHON,
  ]),
  ["perl", PERL],
  ["ruby", RUBY],
  ["node", NODE],
  ["nodejs", NODE],
  ...["jq", "gojq"].map((n): [string, Interpreter] => [n, {
    codeWords: jqCode,
    data: "jq --arg %N% \"$%ENV%\" '… $%N% …'",
  }]),
]);

/**
 * The hint for a value in an interpreter's code: pass it through `inputs:` (an environment
 * variable `$LILY_INPUT_<NAME>`), then as data. `expr` names the value (`params.label`).
 */
export function interpreterHint(interpreter: Interpreter, expr: string | undefined): string {
  const last = (expr ?? "").trim().split(/[^A-Za-z0-9_]+/).filter(Boolean).pop();
  const name = last && /^[A-Za-z_]/.test(last) ? last.toLowerCase() : "value";
  const from = expr?.trim() && /^[\w.]+$/.test(expr.trim()) ? expr.trim() : `params.${name}`;
  const data = interpreter.data.replaceAll("%ENV%", `LILY_INPUT_${name.toUpperCase()}`)
    .replaceAll("%N%", name);
  return `pass the value as data, not code: \`inputs: {${name}: {from: ${from}}}\`, then ${data}`;
}

/**
 * The index of the command a simple command really runs, past `command`, `exec`, `nice` and
 * `env` (with its options and `NAME=value` words): `env X=1 awk '…'` runs awk.
 */
export function commandIndex(words: (string | undefined)[]): number {
  let i = 0;
  while (i < words.length) {
    const base = words[i]?.split("/").pop();
    if (base === "command" || base === "exec" || base === "nice") i++;
    else if (base === "env") {
      i++;
      while (i < words.length && /^-|^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? "")) i++;
    } else return i;
    while (i < words.length && base !== "env" && /^-/.test(words[i] ?? "")) i++;
  }
  return i;
}
