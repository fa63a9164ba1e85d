/**
 * The compound commands that decide what runs next: `if`, `case`, `for`, `while` and `until`.
 * Both loops share one driver ({@linkcode runLoop}), so `break N`, `continue N` and a loop's
 * status are handled in one place. The lists they run are run by the interpreter (its host).
 * @module
 */
import type { Case, For, If, List, While, Word } from "./ast.ts";
import { expandPattern, type ExpandScope, expandString, matchPattern } from "./expand.ts";
import { type Io, LoopControl, ShellExit } from "./types.ts";

/** What control flow needs from the interpreter. */
export interface ControlHost {
  /** Enclosing loops (`break`/`continue` count them). */
  loopDepth: number;
  readonly signal: AbortSignal;
  /** Runs a list; `condition` is true where a failure must not end the script (errexit). */
  list(list: List, io: Io, condition: boolean): Promise<number>;
  /** A word's fields (expanded, split, globbed). */
  fields(word: Word, io: Io): Promise<string[]>;
  setVar(name: string, value: string): void;
  scope(io: Io): ExpandScope;
}

/** `if … then … elif … else … fi`: the first branch whose condition succeeds, else `else`. */
export async function runIf(
  host: ControlHost,
  command: If,
  io: Io,
  condition: boolean,
): Promise<number> {
  for (const clause of command.clauses) {
    if ((await host.list(clause.cond, io, true)) === 0) {
      return await host.list(clause.body, io, condition);
    }
  }
  return command.otherwise ? await host.list(command.otherwise, io, condition) : 0;
}

/** `case WORD in …`: the body of the first item with a pattern that matches, else status 0. */
export async function runCase(
  host: ControlHost,
  command: Case,
  io: Io,
  condition: boolean,
): Promise<number> {
  const subject = await expandString(command.word, host.scope(io));
  for (const item of command.items) {
    for (const pattern of item.patterns) {
      if (matchPattern(await expandPattern(pattern, host.scope(io)), subject)) {
        return await host.list(item.body, io, condition);
      }
    }
  }
  return 0;
}

/** `for NAME in WORDS; do …; done`: the body once per field, NAME set to it. */
export async function runFor(
  host: ControlHost,
  command: For,
  io: Io,
  condition: boolean,
): Promise<number> {
  const items: string[] = [];
  for (const word of command.items) items.push(...await host.fields(word, io));
  let next = 0;
  return await runLoop(host, () => {
    if (next >= items.length) return "done";
    host.setVar(command.name, items[next++]);
    return "run";
  }, () => host.list(command.body, io, condition));
}

/** `while COND; do …; done` (and `until`): the body as long as COND succeeds (fails). */
export function runWhile(
  host: ControlHost,
  command: While,
  io: Io,
  condition: boolean,
): Promise<number> {
  return runLoop(host, async () => {
    if (host.signal.aborted) throw new ShellExit(143);
    // `break` and `continue` in the condition act on this loop too.
    const test = await round(() => host.list(command.cond, io, true));
    if (typeof test !== "number") return test;
    return (test === 0) === command.until ? "done" : "run";
  }, () => host.list(command.body, io, condition));
}

/**
 * What a loop's head decides before each round: run the body, stop (`done`), or a `break` or
 * `continue` that reached the loop while the head ran.
 */
export type LoopStep = "run" | "done" | "break" | "continue";

/**
 * Runs a loop: `head` before each round (synchronous when it can be: a `for` loop's is), then
 * `body`. The loop's status is its last round's (0 when no round ran, after `break`, and after
 * `continue`), as in dash.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { runLoop } from "./control.ts";
 * let rounds = 0;
 * const status = await runLoop(
 *   { loopDepth: 0 },
 *   () => rounds < 3 ? "run" : "done",
 *   () => Promise.resolve(++rounds === 3 ? 7 : 0),
 * );
 * assert(rounds === 3 && status === 7);
 * ```
 */
export async function runLoop(
  host: { loopDepth: number },
  head: () => LoopStep | Promise<LoopStep>,
  body: () => Promise<number>,
): Promise<number> {
  let status = 0;
  host.loopDepth++;
  try {
    for (;;) {
      let step = head();
      if (typeof step !== "string") step = await step;
      if (step === "done") break;
      if (step === "break") {
        status = 0;
        break;
      }
      if (step === "continue") continue;
      const result = await round(body);
      if (result === "break") {
        status = 0;
        break;
      }
      status = result === "continue" ? 0 : result;
    }
  } finally {
    host.loopDepth--;
  }
  return status;
}

/** One part of a round: its status, or the `break`/`continue` aimed at this loop. */
async function round(fn: () => Promise<number>): Promise<number | "break" | "continue"> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof LoopControl)) throw error;
    if (error.levels > 1) throw new LoopControl(error.kind, error.levels - 1);
    return error.kind;
  }
}
