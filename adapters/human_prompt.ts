/**
 * Asking a gate on the terminal, with `@inquirer/prompts` (`confirm` for a `bool` gate,
 * `select` for `enum`, `input` for `text`). One gate at a time: concurrent gates wait their
 * turn. While a prompt is shown, the run's console is held (its status line and the lines of
 * other steps wait, then print), so nothing garbles the prompt. The prompt is cancelled by the
 * attempt's signal (the step's timeout, the run's cancel) and by Ctrl-C at the prompt (the
 * terminal is in raw mode there: Ctrl-C arrives as a key, not a signal); in each case the
 * terminal is restored (inquirer's readline leaves raw mode when it closes).
 * @module
 */
import process from "node:process";
import type { Writable } from "node:stream";
import type { Gate } from "../src/steps/human.ts";
import type { AnswerValue } from "../src/steps/human.ts";
import type { GateTerminal } from "../src/steps/human_answers.ts";

/** How a prompt ended. */
export type PromptOutcome =
  | { answer: AnswerValue }
  /** `signal`: the attempt's signal aborted it (timeout, cancel); `interrupt`: Ctrl-C. */
  | { stopped: "signal" | "interrupt" };

/** The stream a gate writes to (stdout, or stderr when stdout carries JSON). */
export function promptStream(terminal?: GateTerminal): "stdout" | "stderr" {
  return terminal?.stream ?? "stdout";
}

/** Whether a person can be asked: stdin and the prompt's stream are terminals. */
export function canAsk(terminal?: GateTerminal): boolean {
  const out = promptStream(terminal) === "stderr" ? Deno.stderr : Deno.stdout;
  return Deno.stdin.isTerminal() && out.isTerminal();
}

let turn: Promise<void> = Promise.resolve();

/**
 * Runs `fn` when no other gate is asking (one prompt at a time), unless `signal` aborts
 * first. A gate that stops waiting lets the next one in only after the gate before it ends.
 */
async function oneAtATime<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T | undefined> {
  const before = turn;
  let release!: () => void;
  turn = new Promise((resolve) => release = resolve);
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    await Promise.race([before, aborted]);
    if (signal.aborted) return undefined;
    return await fn();
  } finally {
    before.then(release);
  }
}

/**
 * Asks `gate` on the terminal: prints `intro` (what the gate guards), then the prompt.
 * `message` is the prompt's one line.
 */
export async function askOnTerminal(
  gate: Gate,
  options: {
    message: string;
    intro: string;
    signal: AbortSignal;
    terminal?: GateTerminal;
    /** True once a gate of the run was interrupted: the gates waiting their turn ask nothing. */
    interrupted: () => boolean;
  },
): Promise<PromptOutcome> {
  const { signal } = options;
  const outcome = await oneAtATime(signal, async (): Promise<PromptOutcome> => {
    if (options.interrupted()) return { stopped: "interrupt" };
    const release = options.terminal?.hold() ?? (() => {});
    // SIGINT sent to Lily (not typed at the prompt) is Lily's to handle (cancel the run);
    // inquirer's exit hook would otherwise re-raise it, as if Ctrl-C were pressed twice.
    const keepSigint = () => {};
    process.on("SIGINT", keepSigint);
    const output = (promptStream(options.terminal) === "stderr"
      ? process.stderr
      : process.stdout) as unknown as Writable;
    try {
      writeAll(options.intro, promptStream(options.terminal));
      const prompts = await import("@inquirer/prompts");
      const context = { input: process.stdin, output, signal };
      let answer: AnswerValue;
      if (gate.type === "bool") {
        answer = await prompts.confirm({
          message: options.message,
          // Enter alone never approves unless the gate says so: the default is no.
          default: typeof gate.default === "boolean" ? gate.default : false,
        }, context);
      } else if (gate.type === "enum") {
        answer = await prompts.select({
          message: options.message,
          choices: (gate.choices ?? []).map((value) => ({ value, name: value })),
          ...(typeof gate.default === "string" ? { default: gate.default } : {}),
        }, context);
      } else {
        answer = await prompts.input({
          message: options.message,
          ...(typeof gate.default === "string" ? { default: gate.default } : {}),
        }, context);
      }
      return { answer };
    } catch (error) {
      const name = (error as Error).name;
      if (name === "ExitPromptError") {
        writeAll("\n", promptStream(options.terminal));
        return { stopped: "interrupt" };
      }
      if (name === "AbortPromptError" || signal.aborted) {
        writeAll("\n", promptStream(options.terminal));
        return { stopped: "signal" };
      }
      throw error;
    } finally {
      process.off("SIGINT", keepSigint);
      // The readline interface paused stdin; a paused stream keeps nothing alive.
      process.stdin.pause();
      release();
    }
  });
  return outcome ?? { stopped: "signal" };
}

function writeAll(text: string, stream: "stdout" | "stderr"): void {
  const out = stream === "stderr" ? Deno.stderr : Deno.stdout;
  const data = new TextEncoder().encode(text);
  let written = 0;
  while (written < data.length) written += out.writeSync(data.subarray(written));
}
