/**
 * Answers to human gates given before the run: `lily run --approve ID[=VALUE]` (repeatable)
 * and `--answers FILE` (a YAML or JSON map of gate id → value). Each is checked against the
 * gates of the locks about to run, before any step starts: an unknown id (with a
 * did-you-mean), a malformed flag, a value of the wrong type — every problem is reported at
 * once, naming the flag or the file's line and column. A flag wins over the file for the same
 * gate. The result travels to the `human` kind runner (adapters/human.ts) in
 * `RunOptions.kindOptions.answers`, with how it was given (recorded in events and the manifest).
 * @module
 */
import { didYouMean, LilyError, LilyErrors, listNames } from "../errors.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { type AnswerValue, type Gate, gateOf, valueFromText, valueProblem } from "./human.ts";

/** An answer given before the run, and where it came from. */
export interface GivenAnswer {
  value: AnswerValue;
  /** `flag`: `--approve`; `file`: `--answers`. */
  via: "flag" | "file";
  /** The flag as typed, or `FILE:LINE:COL` of the value. */
  source: string;
}

/**
 * The terminal a gate asks on, as `lily run` shares it: the stream its console writes to, and
 * a hold that stops the console drawing while a prompt owns the terminal (lines printed
 * meanwhile are kept and shown after).
 */
export interface GateTerminal {
  stream: "stdout" | "stderr";
  /** Holds the console; call the returned function to release it. */
  hold(): () => void;
}

/**
 * What `lily run` passes to the `human` kind runner in `RunOptions.kindOptions`: `answers`
 * (from the flags and the file, checked) and `terminal`.
 */
export interface HumanKindOptions {
  answers?: Record<string, GivenAnswer>;
  terminal?: GateTerminal;
}

/** The largest answers file read (bytes). */
export const MAX_ANSWERS_FILE = 1024 * 1024;

/** The human steps of the locks, by id (on_error steps too). */
function gatesOf(locks: readonly LockFile[]): Map<string, Gate[]> {
  const gates = new Map<string, Gate[]>();
  for (const lock of locks) {
    for (const step of [...lock.plan.steps, ...lock.plan.on_error] as LockStep[]) {
      if (step.uses !== "human") continue;
      gates.set(step.id, [...(gates.get(step.id) ?? []), gateOf(step)]);
    }
  }
  return gates;
}

function unknownGate(id: string, gates: Map<string, Gate[]>, where: {
  flag?: string;
  span?: LilyError["span"];
}): LilyError {
  const ids = [...gates.keys()];
  const near = didYouMean(id, ids);
  return new LilyError("LILY-E0986", `no human gate \`${id}\` in this run`, {
    ...where,
    hint: near
      ? `did you mean \`${near}\`?`
      : ids.length
      ? `its gates are ${listNames(ids)}`
      : "this workflow has no `uses: human` step",
  });
}

/**
 * Reads and checks `--approve` values and the `--answers` file against the gates of `locks`;
 * throws every problem at once (LilyErrors).
 *
 * @example
 * ```ts
 * import { readGivenAnswers } from "./human_answers.ts";
 * const lock = { plan: { on_error: [], steps: [
 *   { id: "ship", uses: "human", with: { prompt: "Ship?", answer: { type: "bool" } } },
 * ] } };
 * // deno-lint-ignore no-explicit-any
 * const answers = await readGivenAnswers([lock as any], { approve: ["ship=no"] });
 * if (answers.ship.value !== false || answers.ship.via !== "flag") throw new Error("no");
 * // deno-lint-ignore no-explicit-any
 * const wrong = await readGivenAnswers([lock as any], { approve: ["shp"] }).catch((e) => e);
 * if (!String(wrong.errors[0].hint).includes("`ship`")) throw new Error("did you mean");
 * ```
 */
export async function readGivenAnswers(
  locks: readonly LockFile[],
  given: { approve?: readonly string[]; answersFile?: string },
): Promise<Record<string, GivenAnswer>> {
  const gates = gatesOf(locks);
  const errors: LilyError[] = [];
  const answers: Record<string, GivenAnswer> = {};
  if (given.answersFile !== undefined) {
    const fromFile = await readAnswersFile(given.answersFile, gates, errors);
    Object.assign(answers, fromFile);
  }
  for (const text of given.approve ?? []) {
    const flag = `--approve ${text}`;
    const eq = text.indexOf("=");
    const id = (eq < 0 ? text : text.slice(0, eq)).trim();
    const valueText = eq < 0 ? undefined : text.slice(eq + 1);
    if (id === "") {
      errors.push(
        new LilyError("LILY-E0984", "`--approve` needs a gate id", {
          flag,
          hint: "`--approve GATE` (a bool gate: yes) or `--approve GATE=VALUE`",
        }),
      );
      continue;
    }
    const found = gates.get(id);
    if (!found) {
      errors.push(unknownGate(id, gates, { flag }));
      continue;
    }
    let value: AnswerValue | undefined;
    for (const gate of found) {
      const read = valueFromText(gate, valueText);
      if ("problem" in read) {
        errors.push(
          new LilyError("LILY-E0984", `\`--approve\`: gate \`${id}\`: ${read.problem}`, {
            flag,
            hint: hintFor(id, gate),
          }),
        );
        value = undefined;
        break;
      }
      value = read.value;
    }
    if (value !== undefined) answers[id] = { value, via: "flag", source: flag };
  }
  if (errors.length) throw new LilyErrors(errors);
  return answers;
}

function hintFor(id: string, gate: Gate): string {
  return gate.type === "bool"
    ? `\`--approve ${id}\` (yes) or \`--approve ${id}=no\``
    : gate.type === "enum"
    ? `\`--approve ${id}=${gate.choices?.[0] ?? "CHOICE"}\` (one of ${
      listNames(gate.choices ?? [], 12)
    })`
    : `\`--approve ${id}="your text"\``;
}

/** Reads the answers file: a map of gate id → value, each checked with its position. */
async function readAnswersFile(
  path: string,
  gates: Map<string, Gate[]>,
  errors: LilyError[],
): Promise<Record<string, GivenAnswer>> {
  const flag = `--answers ${path}`;
  let text: string;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new Error("not a regular file");
    if (info.size > MAX_ANSWERS_FILE) throw new Error(`over ${MAX_ANSWERS_FILE} bytes`);
    text = (await Deno.readTextFile(path)).replace(/^\uFEFF/, "");
  } catch (error) {
    errors.push(
      new LilyError(
        "LILY-E0985",
        `cannot read the answers file \`${path}\`: ${
          error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message
        }`,
        { flag, hint: "a YAML or JSON map of gate id → answer: `approve: true`" },
      ),
    );
    return {};
  }
  const yaml = await import("yaml");
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const spanAt = (offset: number, length = 1) => {
    const { line, col } = lines.linePos(offset);
    return { file: path, line, col, length: Math.max(1, length) };
  };
  if (doc.errors.length) {
    for (const e of doc.errors) {
      errors.push(
        new LilyError(
          "LILY-E0985",
          `the answers file is not valid YAML or JSON: ${e.message.split("\n")[0]}`,
          { span: spanAt(e.pos[0]), hint: "a map of gate id → answer: `approve: true`" },
        ),
      );
    }
    return {};
  }
  const root = doc.contents;
  if (root === null || (yaml.isScalar(root) && (root.value === null || root.value === ""))) {
    return {};
  }
  if (!yaml.isMap(root)) {
    errors.push(
      new LilyError("LILY-E0985", "the answers file must be a map of gate id → answer", {
        span: spanAt(root.range?.[0] ?? 0),
        hint: "for example:\n  approve: true\n  target: staging",
      }),
    );
    return {};
  }
  const answers: Record<string, GivenAnswer> = {};
  for (const pair of root.items) {
    const key = pair.key;
    const keyAt = yaml.isNode(key) ? key.range?.[0] ?? 0 : 0;
    const id = yaml.isScalar(key) ? String(key.value) : undefined;
    if (id === undefined) {
      errors.push(
        new LilyError("LILY-E0985", "a key of the answers file is not a gate id", {
          span: spanAt(keyAt),
          hint: "keys are the ids of human steps",
        }),
      );
      continue;
    }
    const found = gates.get(id);
    if (!found) {
      errors.push(unknownGate(id, gates, { span: spanAt(keyAt, id.length) }));
      continue;
    }
    const node = pair.value;
    const valueAt = yaml.isNode(node) ? node.range?.[0] ?? keyAt : keyAt;
    const value = yaml.isScalar(node) ? node.value : yaml.isNode(node) ? node.toJSON() : null;
    const span = spanAt(valueAt, yaml.isNode(node) ? (node.range![1] - node.range![0]) : 1);
    let problem: string | undefined;
    for (const gate of found) {
      problem = valueProblem(gate, value);
      if (problem && gate.type === "bool" && typeof value === "string") {
        problem += " (YAML 1.2: `yes` and `no` are strings; write true or false)";
      }
      if (problem) {
        errors.push(
          new LilyError("LILY-E0985", `answer for gate \`${id}\`: ${problem}`, {
            span,
            hint: fileHintFor(id, gate),
          }),
        );
        break;
      }
    }
    if (!problem) {
      const { line, col } = lines.linePos(valueAt);
      answers[id] = {
        value: value as AnswerValue,
        via: "file",
        source: `${path}:${line}:${col}`,
      };
    }
  }
  return answers;
}

function fileHintFor(id: string, gate: Gate): string {
  return gate.type === "bool"
    ? `\`${id}: true\` or \`${id}: false\``
    : gate.type === "enum"
    ? `\`${id}: ${gate.choices?.[0] ?? "CHOICE"}\` (one of ${listNames(gate.choices ?? [], 12)})`
    : `\`${id}: "your text"\``;
}

/**
 * How to answer gate `id` when there is no terminal: the `--approve` flag, or the line of an
 * answers file (the hint of LILY-E0987).
 */
export function noTerminalHint(id: string, gate: Gate): string {
  const how = gate.type === "bool"
    ? `\`--approve ${id}\` (yes) or \`--approve ${id}=no\``
    : `\`--approve ${id}=${gate.type === "enum" ? gate.choices?.[0] : "TEXT"}\``;
  const inFile = `${id}: ${
    gate.type === "bool" ? "true" : gate.type === "enum" ? gate.choices?.[0] : '"…"'
  }`;
  return `pass ${how}, or \`--answers FILE\` holding \`${inFile}\``;
}

/**
 * The pre-check of a run with no terminal to ask on: every selected gate that will surely be
 * reached (no `if:`, not an `on_error` step) and has no answer given is LILY-E0987, all in one
 * pass, before any step starts. A gate that runs only on a condition is left to fail when
 * reached (it may never be).
 *
 * @example
 * ```ts
 * import { unansweredGates } from "./human_answers.ts";
 * const gate = (id: string) => ({ id, uses: "human", if: null, with: { prompt: "Go?" } });
 * const lock = { plan: { on_error: [], steps: [gate("a"), gate("b")] } };
 * // deno-lint-ignore no-explicit-any
 * const errors = unansweredGates([{ lock: lock as any, selected: new Set(["a", "b"]) }], {});
 * if (errors.length !== 2 || errors[1].code !== "LILY-E0987") throw new Error("both");
 * ```
 */
export function unansweredGates(
  runs: readonly { lock: LockFile; selected: ReadonlySet<string> }[],
  answers: Record<string, GivenAnswer> | undefined,
): LilyError[] {
  const errors: LilyError[] = [];
  const seen = new Set<string>();
  for (const { lock, selected } of runs) {
    for (const step of lock.plan.steps as LockStep[]) {
      if (step.uses !== "human" || step.if || !selected.has(step.id) || seen.has(step.id)) {
        continue;
      }
      if (answers && Object.hasOwn(answers, step.id)) continue;
      seen.add(step.id);
      errors.push(
        new LilyError(
          "LILY-E0987",
          `human gate \`${step.id}\` needs an answer, and there is no terminal to ask on (stdin or stdout is not a TTY)`,
          { hint: noTerminalHint(step.id, gateOf(step)) },
        ),
      );
    }
  }
  return errors;
}
