/**
 * What a run prints: off a TTY (CI), one plain line per step event; on a TTY, the same lines
 * plus a live status line (done/total, running steps, cache hits, elapsed). Failures show
 * the tail of their log. `NO_COLOR` is respected. While a human gate asks on the terminal
 * (`hold()`), nothing is drawn: lines wait and print when the prompt is answered.
 * @module
 */
import type { RunEvent } from "../schema/events.ts";

/** Options for {@linkcode consoleView}. */
export interface ConsoleOptions {
  total: number;
  verbose: boolean;
  quiet: boolean;
  tty: boolean;
  color: boolean;
  /** Where the human lines go: stderr when stdout carries JSON (`--events -`). */
  stream?: "stdout" | "stderr";
  /** Reads the tail of a step's log for a failure. */
  logTail: (step: string, attempt: number) => string;
}

/** How often the status line's elapsed time is redrawn on a terminal. */
const TICK_MS = 250;

/**
 * Returns an event listener that prints the run, a sink for step output (printed with
 * `verbose`, each line prefixed by its step id), and a function that clears the status line.
 */
export function consoleView(
  options: ConsoleOptions,
): {
  onEvent: (e: RunEvent) => void;
  onOutput: (step: string, text: string) => void;
  end: () => void;
  hold: () => () => void;
} {
  const c = (code: string) => (s: string) => options.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  const green = c("32"), red = c("31"), yellow = c("33"), dim = c("2"), cyan = c("36");
  const running = new Set<string>();
  const hints = new Map<string, string>();
  let done = 0, cached = 0;
  const started = performance.now();
  let statusShown = false;
  const out = options.stream === "stderr" ? Deno.stderr : Deno.stdout;
  /** Holds by prompts (a human gate owns the terminal), and what was printed meanwhile. */
  let held = 0;
  const kept: string[] = [];
  const write = (text: string) => {
    if (held) {
      kept.push(text);
      return;
    }
    const data = new TextEncoder().encode(text);
    let written = 0;
    while (written < data.length) written += out.writeSync(data.subarray(written));
  };
  const clear = () => {
    if (statusShown) write("\r\x1b[2K");
    statusShown = false;
  };
  const line = (text: string) => {
    clear();
    write(text + "\n");
  };
  const status = () => {
    if (!options.tty || options.quiet || held) return;
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    const list = [...running].slice(0, 4).join(", ") +
      (running.size > 4 ? ` +${running.size - 4}` : "");
    write(
      `\r\x1b[2K${dim(`[${done}/${options.total}]`)} ${
        running.size ? `running: ${list} · ` : ""
      }${cached} cached · ${secs}s`,
    );
    statusShown = true;
  };
  const ms = (
    n?: number,
  ) => (n === undefined
    ? ""
    : dim(` (${n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`})`));
  // The elapsed time ticks while steps run (a status line redrawn only on events would sit
  // still through a long step). The timer never keeps the process alive.
  const ticker = options.tty && !options.quiet ? setInterval(status, TICK_MS) : undefined;
  if (ticker !== undefined) Deno.unrefTimer(ticker);
  /** Partial last lines of each step's output, until their newline arrives. */
  const partial = new Map<string, string>();
  const flushOutput = (step: string, text: string) => {
    const lines = text.split("\n");
    partial.set(step, lines.pop()!);
    if (lines.length) line(lines.map((l) => `${dim(`${step} │`)} ${l}`).join("\n"));
  };
  const endOutput = (step: string) => {
    const rest = partial.get(step);
    partial.delete(step);
    if (rest) line(`${dim(`${step} │`)} ${rest}`);
  };
  return {
    onOutput(step, text) {
      if (!options.verbose) return;
      flushOutput(step, (partial.get(step) ?? "") + text);
      status();
    },
    onEvent(e) {
      if (
        e.step && (e.type === "step.finished" || e.type === "step.failed" ||
          e.type === "step.cancelled" || e.type === "step.retry")
      ) endOutput(e.step);
      const step = e.step ?? "";
      switch (e.type) {
        case "step.started":
          running.add(step);
          if (options.verbose) {
            line(
              dim(
                `  ▸ ${step} started${e.attempt && e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}`,
              ),
            );
          }
          break;
        case "step.cache_miss":
          if (options.verbose) line(dim(`  · ${step}: cache miss — ${e.reason}`));
          break;
        case "step.finished":
          running.delete(step);
          done++;
          if (!options.quiet) line(`${green("✓")} ${step}${ms(e.duration_ms)}`);
          break;
        case "step.cache_hit":
          done++, cached++;
          if (!options.quiet) line(`${cyan("=")} ${step} ${dim("cached")}`);
          break;
        case "step.skipped":
          running.delete(step);
          done++;
          if (!options.quiet) line(`${yellow("↷")} ${step} ${dim(`skipped: ${e.reason}`)}`);
          break;
        case "step.cancelled":
          running.delete(step);
          done++;
          line(`${yellow("⊘")} ${step} ${dim(`cancelled: ${e.reason}`)}`);
          break;
        case "step.retry":
          running.delete(step);
          line(`${yellow("↻")} ${step} failed (${e.reason}); retrying in ${e.delay_ms} ms`);
          break;
        case "step.failed": {
          running.delete(step);
          done++;
          line(`${red("✗")} ${step}${ms(e.duration_ms)}: ${e.reason}`);
          if (hints.has(step)) line(`    = hint: ${hints.get(step)}`);
          if (e.note) line(dim(`    = note: ${e.note}`));
          const tail = e.attempt ? options.logTail(step, e.attempt) : "";
          if (tail) line(tail.split("\n").map((l) => dim(`    │ ${l}`)).join("\n"));
          break;
        }
        case "cache.warning":
          line(`${yellow("warning")}: ${step}: ${e.reason}`);
          break;
        case "run.waiting":
          line(`${yellow("waiting")}: ${e.reason}`);
          break;
        case "step.denied":
          hints.set(step, String(e.hint ?? ""));
          break;
      }
      status();
    },
    hold: () => {
      if (held === 0) clear();
      held++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--held > 0) return;
        const text = kept.splice(0).join("");
        if (text) write(text);
        status();
      };
    },
    end: () => {
      if (ticker !== undefined) clearInterval(ticker);
      for (const step of [...partial.keys()]) endOutput(step);
      clear();
    },
  };
}
