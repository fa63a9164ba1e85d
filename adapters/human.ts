/**
 * The `human` kind runner: a gate, run in Lily's own process (KIND_RUNNERS in mod.ts). The
 * answer comes from `lily run --approve`/`--answers` (checked before the run, in
 * `kindOptions.answers`), else from the person at the terminal (human_prompt.ts), else the
 * step fails at once with what to pass: without a terminal a gate never waits. The answer is
 * written to `$LILY_OUTPUT` as the output `answer`; the attempt's log, the event
 * `human.answered` and the step's manifest record (`human`) say what was answered, how (tty,
 * flag, file) and by whom (the OS user). A `bool` gate answered no fails the step unless its
 * `answer.on_false` is `continue`. Nothing here is retried: a gate's failure would recur.
 * docs/human.md.
 * @module
 */
import { userInfo } from "node:os";
import { relative } from "node:path";
import type { LockStep } from "../src/schema/lock.ts";
import { type AnswerValue, type Gate, gateOf, shownAnswer } from "../src/steps/human.ts";
import {
  type GivenAnswer,
  type HumanKindOptions,
  noTerminalHint,
} from "../src/steps/human_answers.ts";
import type { AdapterContext } from "./mod.ts";
import { askOnTerminal, canAsk } from "./human_prompt.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** What a gate's run records (the manifest's `steps.<id>.human`, the event's fields). */
export interface GateRecord {
  prompt: string;
  answer: AnswerValue;
  /** `tty`: typed at the terminal; `flag`: `--approve`; `file`: `--answers`. */
  via: "tty" | "flag" | "file";
  /** The OS user who answered (who ran Lily, for a flag or a file). */
  by: string;
  /** The flag as typed, or the answers file's `FILE:LINE:COL`. */
  source?: string;
  answered_at: string;
}

/** How many lines of a small text file input a gate shows. */
const PREVIEW_LINES = 8;
/** The largest file input previewed (bytes). */
const PREVIEW_MAX = 64 * 1024;
/** The longest value shown on one line (characters). */
const VALUE_WIDTH = 160;

/** Creates the human kind runner for one run. */
export function humanRunner(context: AdapterContext): Adapter {
  const options = (context.kindOptions ?? {}) as HumanKindOptions;
  /** Ctrl-C at a prompt cancels the run: the gates waiting their turn are not asked. */
  let interrupted = false;
  return {
    name: "human",
    async run(request) {
      const t0 = performance.now();
      const step = request.step;
      const gate = gateOf(step);
      // The whole record (the OS isolation's fields do not apply: no program runs).
      const enforcement = {
        sandbox: "none (a gate runs no program: Lily asks in its own process)",
        adapter: "human",
        executed: false,
        network: "off (nothing is sent)",
        enforced: true,
        mechanism: "Lily's human kind runner: it asks on the terminal or takes --approve/--answers",
        filesystem: "reads its file inputs to show them; writes only the answer to $LILY_OUTPUT",
        holds: {
          secrets: "secret inputs are never shown",
          terminal: "text shown from the workflow and inputs has its control characters escaped",
        },
        not_held: [],
      };
      const done = (fields: Partial<StepResult>): StepResult => ({
        exitCode: fields.error ? null : 0,
        signal: null,
        durationMs: performance.now() - t0,
        enforcement,
        retryable: false,
        ...fields,
      });
      if (request.signal.aborted) return done({ exitCode: null });
      const shown = describeGate(step, gate, request, context.projectRoot);
      await log(request, shown.join("\n") + "\n");
      const given = answerFor(step.id, options.answers);
      let answer: AnswerValue;
      let via: GateRecord["via"];
      if (given) {
        answer = given.value;
        via = given.via;
      } else if (canAsk(options.terminal)) {
        const single = !gate.prompt.trim().includes("\n");
        const intro = [
          `┌ human gate \`${step.id}\` (Ctrl-C cancels the run)`,
          ...(single ? shown.slice(2) : shown.slice(1)).map((l) => `│ ${l}`),
          "",
        ].join("\n");
        const outcome = await askOnTerminal(gate, {
          message: single ? safe(gate.prompt.trim()) : "Your answer",
          intro: shown.length > (single ? 2 : 1)
            ? intro
            : `┌ human gate \`${step.id}\` (Ctrl-C cancels the run)\n`,
          signal: request.signal,
          terminal: options.terminal,
          interrupted: () => interrupted,
        });
        if ("stopped" in outcome) {
          if (outcome.stopped === "interrupt") {
            interrupted = true;
            await log(request, "cancelled at the prompt (Ctrl-C)\n");
            // Read as a program ended by Ctrl-C: the engine cancels the run.
            return done({ exitCode: null, signal: "SIGINT" });
          }
          return stopped(request, step, done);
        }
        answer = outcome.answer;
        via = "tty";
      } else {
        return done({
          error: {
            code: "LILY-E0987",
            message:
              `human gate \`${step.id}\` needs an answer, and there is no terminal to ask on (stdin or stdout is not a TTY)`,
            hint: noTerminalHint(step.id, gate),
          },
        });
      }
      if (request.signal.aborted) return stopped(request, step, done);
      const record: GateRecord = {
        prompt: gate.prompt,
        answer,
        via,
        by: osUser(),
        ...(given ? { source: given.source } : {}),
        answered_at: new Date().toISOString(),
      };
      await log(
        request,
        `answer: ${shownAnswer(answer)} (${
          via === "tty" ? "at the terminal" : `from ${record.source}`
        }, by ${record.by})\n`,
      );
      const recorded = {
        events: [{ type: "human.answered" as const, fields: { ...record } }],
        record: { human: record },
      };
      if (answer === false && gate.onFalse === "fail") {
        return done({
          ...recorded,
          error: {
            code: "LILY-E0988",
            message: `human gate \`${step.id}\` was answered no (${
              via === "tty" ? "at the terminal" : `by ${record.source}`
            }, by ${record.by})`,
            hint:
              "the steps that need it do not run; give the gate `answer: {type: bool, on_false: continue}` to go on with answer false",
          },
        });
      }
      await Deno.writeTextFile(request.spec.env.LILY_OUTPUT, JSON.stringify({ answer }));
      return done(recorded);
    },
  };
}

/** The answer given for `id` before the run, if any. */
function answerFor(
  id: string,
  answers: Record<string, GivenAnswer> | undefined,
): GivenAnswer | undefined {
  return answers && Object.hasOwn(answers, id) ? answers[id] : undefined;
}

/** A gate stopped by its signal: the timeout fails it (clearly), a cancel cancels it. */
async function stopped(
  request: StepRequest,
  step: LockStep,
  done: (fields: Partial<StepResult>) => StepResult,
): Promise<StepResult> {
  if (request.signal.reason !== "timeout") return done({ exitCode: null });
  await log(request, `no answer within the step's timeout (${step.timeout_ms} ms)\n`);
  return done({
    error: {
      code: "LILY-E0989",
      message: `human gate \`${step.id}\` was not answered within its timeout (${
        duration(step.timeout_ms ?? 0)
      }): the gate is cancelled`,
      hint: "answer it sooner, raise the step's `timeout:`, or answer ahead with `--approve`",
    },
  });
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

async function log(request: StepRequest, text: string): Promise<void> {
  await request.write(new TextEncoder().encode(text), "stdout");
}

/** The OS user running Lily (who answers at the terminal, or passed the flag or file). */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? Deno.env.get("USERNAME") ??
      "unknown";
  }
}

/**
 * Text from the workflow or a step's output, made safe for a terminal: control characters
 * (an escape sequence in an upstream output could move the cursor or retitle the window) are
 * shown as escapes.
 */
function safe(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u{${ch.charCodeAt(0).toString(16)}}`);
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clip(text: string, width = VALUE_WIDTH): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * What the gate guards, as lines: its id, the prompt, then each bound input — a value (clipped),
 * a file's path with the first lines of a small text file, a secret never (nor any secret
 * input's value inside another input's text).
 */
function describeGate(
  step: LockStep,
  gate: Gate,
  request: StepRequest,
  root: string,
): string[] {
  const lines = [`human gate \`${step.id}\``, ...gate.prompt.trim().split("\n").map(safe)];
  const env = request.spec.env;
  const secrets = Object.entries(step.inputs)
    .filter(([, io]) => io.type === "secret")
    .map(([name]) => env[`LILY_INPUT_${name.toUpperCase()}`])
    .filter((v): v is string => typeof v === "string" && v.length > 0);
  const hide = (text: string) => secrets.reduce((t, s) => t.split(s).join("••••••"), text);
  const names = Object.keys(step.inputs);
  if (!names.length) return lines;
  lines.push("inputs:");
  const width = Math.max(...names.map((n) => n.length));
  for (const [name, io] of Object.entries(step.inputs)) {
    const value = env[`LILY_INPUT_${name.toUpperCase()}`];
    const label = `  ${name.padEnd(width)} = `;
    if (io.type === "secret") {
      lines.push(`${label}(secret, not shown)`);
      continue;
    }
    if (value === undefined) {
      lines.push(`${label}(not set)`);
      continue;
    }
    if (io.type === "file" || io.type === "dir") {
      const rel = relative(root, value).replaceAll("\\", "/");
      const shownPath = rel && !rel.startsWith("..") ? rel : value;
      lines.push(`${label}${safe(shownPath)} (${io.type})`);
      if (io.type === "file") {
        for (const l of preview(value)) lines.push(`  ${" ".repeat(width)}   │ ${hide(l)}`);
      }
      continue;
    }
    const text = io.type === "str" || io.type === "path" ? JSON.stringify(value) : value;
    lines.push(`${label}${clip(safe(hide(text)).replaceAll("\n", "⏎"))}`);
  }
  return lines;
}

/** The first lines of a small text file (nothing for a large or binary one). */
function preview(path: string): string[] {
  try {
    const info = Deno.lstatSync(path);
    if (!info.isFile || info.size > PREVIEW_MAX || info.size === 0) return [];
    const bytes = Deno.readFileSync(path);
    if (bytes.includes(0)) return [];
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const all = text.replace(/\n$/, "").split("\n");
    const head = all.slice(0, PREVIEW_LINES).map((l) => clip(safe(l.replace(/\r$/, ""))));
    if (all.length > PREVIEW_LINES) head.push(`… (${all.length - PREVIEW_LINES} more lines)`);
    return head;
  } catch {
    return [];
  }
}
