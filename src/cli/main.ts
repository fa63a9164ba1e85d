/**
 * The CLI entry: a hand-written dispatcher that imports only the command it runs, so
 * `lily --help` stays near a bare `deno run` (commander alone costs ~50 ms to import).
 * Command modules parse flags and call library code; they hold no logic of their own.
 * @module
 */
import { type LilyError, sortBySource, userErrors } from "../errors.ts";
import { VERSION } from "../version.ts";

/** What every command module exports. */
export interface CommandModule {
  /** Runs the command; returns the exit status. Throws LilyError(s) for user errors. */
  main(args: string[]): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

const COMMANDS: Record<string, CommandEntry> = {
  compose: { summary: "Compose sources into a lock file", load: () => import("./compose.ts") },
  run: { summary: "Run a lock (or a .petal, composed in memory)", load: () => import("./run.ts") },
  sync: { summary: "Check pins and prepare what a lock needs", load: () => import("./sync.ts") },
  verify: {
    summary: "Detect drift between a lock and its sources",
    load: () => import("./verify.ts"),
  },
  diff: {
    summary: "Semantic diff of two locks, with cache impact",
    load: () => import("./diff.ts"),
  },
  explain: {
    summary: "Show the DAG, cache boundaries, resources and pins",
    load: () => import("./explain.ts"),
  },
  lock: { summary: "Lock maintenance (`lock refresh`)", load: () => import("./lock.ts") },
  cache: { summary: "Cache status, purge and gc", load: () => import("./cache.ts") },
  runs: { summary: "List recent runs, show one", load: () => import("./runs.ts") },
  logs: { summary: "Print or follow a run's step logs", load: () => import("./logs.ts") },
};

/** Exit status for user errors (bad input, drift, a failed check). */
export const EXIT_USER_ERROR = 2;
/** Exit status for an internal error (a bug in Lily). */
export const EXIT_INTERNAL = 70;

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) =>
    `  ${name.padEnd(width)}  ${entry.summary}`
  );
  return `lily ${VERSION} — compose → lock → sync → run, for workflows written in Petal

Usage: lily <command> [options]

Commands:
${lines.join("\n")}

Options:
  -h, --help     Show help (also \`lily <command> --help\`)
  -V, --version  Show the version

Examples:
  lily compose flows/hello.petal            # writes locks/hello.petal.lock.yaml
  lily explain flows/hello.petal --format mermaid
  lily verify locks/hello.petal.lock.yaml --recompose

Docs: docs/getting-started.md, docs/cli.md`;
}

/** Runs the CLI with `args` (without the program name) and returns the exit status. */
export async function cli(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    if (name === "help" && rest[0] && COMMANDS[rest[0]]) return cli([rest[0], "--help"]);
    console.log(topHelp());
    return name === undefined ? EXIT_USER_ERROR : 0;
  }
  if (name === "-V" || name === "--version") {
    console.log(`lily ${VERSION}`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const { didYouMean } = await import("../errors.ts");
    const guess = didYouMean(name, Object.keys(COMMANDS));
    console.error(
      `error[LILY-E0001]: unknown command \`${name}\`\n   = hint: ${
        guess ? `did you mean \`lily ${guess}\`? ` : ""
      }run \`lily --help\` for the list of commands`,
    );
    return EXIT_USER_ERROR;
  }
  try {
    const module = await entry.load();
    return await module.main(rest);
  } catch (error) {
    return reportError(error);
  }
}

/** Prints an error thrown by a command and returns the exit status for it. */
export async function reportError(error: unknown): Promise<number> {
  const errors = userErrors(error);
  if (errors) {
    const render = await (await import("./_render.ts")).stderrRenderer();
    const rendered = sortBySource(errors).map((e: LilyError) => render(e));
    console.error(rendered.join("\n\n"));
    if (errors.length > 1) console.error(`\n${errors.length} errors`);
    return EXIT_USER_ERROR;
  }
  console.error(
    `internal error (a bug in Lily, please report it): ${
      error instanceof Error ? error.stack ?? error.message : String(error)
    }`,
  );
  return EXIT_INTERNAL;
}
