/**
 * Differential runs of one script: in `dash`, in `bash --posix` and in Lily's shell, each in a
 * fresh temporary directory with the same environment, comparing stdout and the exit status.
 * Lily's shell starts with `errexit` and `pipefail` off here (as the other shells do), unless
 * the case asks for `-e` (then all three run with `errexit`).
 * @module
 */
import { parseScript, ShellSyntaxError } from "../../../src/shell/parser.ts";
import { BIN, sh } from "../_run.ts";

/** What one shell printed and returned. */
export interface Answer {
  stdout: string;
  status: number;
  /** Lily only: the program its policy refused to start (the corpus uses built-ins). */
  denied?: string;
}

/** The three answers for a script; `lily` is a refusal when the parser refused it. */
export interface Differential {
  dash: Answer;
  bash: Answer;
  lily: Answer | { refused: string; pos: number };
}

/** Options of a differential run. */
export interface DiffOptions {
  /** Run all three with errexit (`sh -e`). */
  errexit?: boolean;
  stdin?: string;
  /** Extra programs the three shells may start: name → absolute path (on PATH for dash/bash). */
  programs?: Record<string, string>;
}

const decoder = new TextDecoder();

async function other(argv: string[], script: string, dir: string, options: DiffOptions) {
  const child = new Deno.Command(argv[0], {
    args: [...argv.slice(1), ...(options.errexit ? ["-e"] : []), "-c", script],
    cwd: dir,
    env: { HOME: "/lily-home", PATH: pathFor(options), LC_ALL: "C.UTF-8" },
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const out = await child.output();
  return { stdout: decoder.decode(out.stdout), status: out.code };
}

function pathFor(options: DiffOptions): string {
  const dirs = Object.values(options.programs ?? {}).map((p) => p.slice(0, p.lastIndexOf("/")));
  return [...new Set(dirs), "/usr/bin", "/bin"].join(":");
}

async function inTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "lily_conformance_" }));
  try {
    await Deno.mkdir(`${dir}/home`);
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `script` in the three shells. */
export async function differential(
  script: string,
  options: DiffOptions = {},
): Promise<Differential> {
  const dash = await inTemp((dir) => other(["/usr/bin/dash"], script, dir, options));
  const bash = await inTemp((dir) => other(["/usr/bin/bash", "--posix"], script, dir, options));
  try {
    parseScript(script);
  } catch (error) {
    if (error instanceof ShellSyntaxError) {
      return { dash, bash, lily: { refused: error.message, pos: error.pos } };
    }
    throw error;
  }
  const lily = await inTemp(async (dir) => {
    const result = await sh(script, dir, {
      env: { HOME: "/lily-home", PATH: pathFor(options) },
      stdin: options.stdin,
      binaries: options.programs ? { ...BIN, ...options.programs } : undefined,
      startOptions: { errexit: options.errexit ?? false, pipefail: false },
    });
    return { stdout: result.stdout, status: result.exitCode, denied: result.denied?.target };
  });
  return { dash, bash, lily };
}

/** Whether two answers are the same. */
export function same(a: Answer, b: Answer): boolean {
  return a.stdout === b.stdout && a.status === b.status;
}

/**
 * The rule: Lily answers as dash or as bash --posix, or refuses. `want` narrows it: `dash` or
 * `bash` (that shell's answer), `refuse` (must be refused), `run` (must not be refused).
 * Returns undefined when the rule holds, else what is wrong.
 */
export function verdict(
  d: Differential,
  want: "any" | "run" | "dash" | "bash" | "refuse",
): string | undefined {
  if ("refused" in d.lily) {
    return want === "any" || want === "refuse"
      ? undefined
      : `refused (${d.lily.refused} at offset ${d.lily.pos})`;
  }
  if (want === "refuse") return "ran, but must be refused";
  const lily = d.lily;
  if (lily.denied !== undefined) return `started \`${lily.denied}\`, which is not a built-in`;
  const ok = want === "dash"
    ? same(lily, d.dash)
    : want === "bash"
    ? same(lily, d.bash)
    : same(lily, d.dash) || same(lily, d.bash);
  if (ok) return undefined;
  return `a third answer: lily ${show(lily)}, dash ${show(d.dash)}, bash ${show(d.bash)}`;
}

function show(a: Answer): string {
  return `${JSON.stringify(a.stdout)} (status ${a.status})`;
}

/** One case of a corpus file. */
export interface CorpusCase {
  name: string;
  script: string;
  want: "any" | "run" | "dash" | "bash" | "refuse";
  errexit: boolean;
  /** The 1-based line of the case's header in its file. */
  line: number;
}

/**
 * Reads a corpus file: cases separated by header lines `#### name [!run|!dash|!bash|!refuse]
 * [!e]`. Without a tag a case must run and agree with dash or bash (`!run`).
 */
export function parseCorpus(text: string): CorpusCase[] {
  const out: CorpusCase[] = [];
  const lines = text.split("\n");
  let current: CorpusCase | undefined;
  let body: string[] = [];
  const flush = () => {
    if (current) out.push({ ...current, script: body.join("\n").replace(/\n+$/, "\n") });
    body = [];
  };
  lines.forEach((line, i) => {
    const m = /^#### (.*?)((?: !\w+)*)\s*$/.exec(line);
    if (!m) {
      if (current) body.push(line);
      return;
    }
    flush();
    const tags = m[2].trim().split(/\s+/).filter(Boolean).map((t) => t.slice(1));
    const want = (tags.find((t) => t !== "e") ?? "run") as CorpusCase["want"];
    current = { name: m[1], script: "", want, errexit: tags.includes("e"), line: i + 1 };
  });
  flush();
  return out;
}
