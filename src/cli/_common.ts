/**
 * Helpers shared by command modules: repeated flags, atomic writes, commander setup that
 * reports flag errors as Lily errors (exit 2, no stack trace).
 * @module
 */
import { Command, CommanderError } from "commander";
import { LilyError } from "../errors.ts";
import { parseAssignment, parseSweep } from "../compose/params.ts";

/** A commander program for one `lily <name>` command, with Lily's error handling. */
export function command(name: string, description: string, examples: string): Command {
  const program = new Command(`lily ${name}`)
    .description(description)
    .helpOption("-h, --help", "Show this help")
    .addHelpText("after", `\nExamples:\n${examples}`)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => {
        const message = text.replace(/^error: /, "").trim();
        if (message) pendingFlagError = message;
      },
    });
  return program;
}

let pendingFlagError: string | undefined;

/**
 * Parses `args` with `program`. Returns false when help/version was printed (exit 0), and
 * throws a LilyError for a bad flag.
 */
export async function parse(program: Command, args: string[]): Promise<boolean> {
  try {
    await program.parseAsync(args, { from: "user" });
    return true;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
        return false;
      }
      const message = pendingFlagError ?? error.message.replace(/^error: /, "");
      pendingFlagError = undefined;
      const missing = /^missing required argument '(sources|.*petals?)'/.exec(message);
      if (error.code === "commander.missingArgument" && missing) {
        throw new LilyError("LILY-E0002", `no workflow given: \`${program.name()}\` needs one`, {
          flag: `lily ${program.name().replace(/^lily /, "")}`,
          hint:
            `name a workflow (\`${program.name()} flows/x.petal\`); see \`${program.name()} --help\``,
        });
      }
      throw new LilyError("LILY-E0003", message, {
        flag: `lily ${program.name().replace(/^lily /, "")}`,
        hint: `see \`${program.name()} --help\``,
      });
    }
    throw error;
  }
}

/** Accumulates a repeated option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `-p a=1 -p b=2` → `{a: "1", b: "2"}`. */
export function assignments(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of values ?? []) {
    const [key, value] = parseAssignment(text, "-p");
    out[key] = value;
  }
  return out;
}

/** `-m a=1,2 -m b=x` → `{a: ["1","2"], b: ["x"]}`. */
export function sweeps(values: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const text of values ?? []) {
    const [key, list] = parseSweep(text);
    out[key] = list;
  }
  return out;
}

/**
 * Writes a file atomically (temp file in the same directory, then rename). A path that exists
 * and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO) is written in place: renaming
 * over it would replace the device or pipe with a file.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const existing = await Deno.stat(path).catch(() => undefined);
  if (existing && !existing.isFile && !existing.isDirectory) {
    await Deno.writeTextFile(path, text);
    return;
  }
  const dir = path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")));
  if (dir) await Deno.mkdir(dir, { recursive: true });
  const temp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeTextFile(temp, text);
  try {
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** A path for display: relative to the cwd when inside it. */
export function shown(path: string): string {
  const cwd = Deno.cwd();
  return path.startsWith(cwd + "/") ? path.slice(cwd.length + 1) : path;
}
