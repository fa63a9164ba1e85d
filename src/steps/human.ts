/**
 * `uses: human`: an approval or input gate. `with: {prompt, answer: {type, choices?, default?,
 * on_false?}}`; the answer becomes the step's typed output `answer` (`bool` for a `bool` gate,
 * `str` for `enum` and `text`). This file is the compose side: the `with:` checks (positioned),
 * the output `answer` declared for every gate, the refusal of an `adapter:` that is not Lily's
 * process, how a value is checked against a gate, and explain's line. The gate is asked at run
 * time by the `human` kind runner (adapters/human.ts). docs/human.md.
 * @module
 */
import { didYouMean, LilyError, listNames, type Span } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { Petal } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import type { StepKind } from "./kind.ts";

/** The kinds of answer a gate takes. */
export const ANSWER_TYPES = ["bool", "enum", "text"] as const;
/** One of {@linkcode ANSWER_TYPES}. */
export type AnswerType = typeof ANSWER_TYPES[number];
/** The fields of a human step's `with:`. */
export const HUMAN_WITH_KEYS = ["prompt", "answer"] as const;
/** The fields of `with.answer`. */
export const ANSWER_KEYS = ["type", "choices", "default", "on_false"] as const;
/** What a `bool` gate answered `false` does: fail the step (the default) or succeed with false. */
export const ON_FALSE = ["fail", "continue"] as const;

/** A gate, as the lock holds it (after {@linkcode humanKind}'s check normalized it). */
export interface Gate {
  prompt: string;
  type: AnswerType;
  /** The choices of an `enum` gate, in order. */
  choices?: string[];
  /** The answer the prompt offers first (Enter takes it); never given without asking. */
  default?: boolean | string;
  /** A `bool` gate answered false: `fail` (the default) or `continue`. */
  onFalse: typeof ON_FALSE[number];
}

/** A gate's answer: a boolean for a `bool` gate, a string otherwise. */
export type AnswerValue = boolean | string;

/** The output type of a gate's `answer`. */
export function answerOutputType(type: AnswerType): "bool" | "str" {
  return type === "bool" ? "bool" : "str";
}

/**
 * The gate of a lock step (its `with:` was checked at compose).
 *
 * @example
 * ```ts
 * import { gateOf } from "./human.ts";
 * const gate = gateOf({ with: { prompt: "Ship?", answer: { type: "enum", choices: ["a", "b"] } } });
 * if (gate.type !== "enum" || gate.choices?.join() !== "a,b" || gate.onFalse !== "fail") {
 *   throw new Error("gate");
 * }
 * if (gateOf({ with: { prompt: "Ship?" } }).type !== "bool") throw new Error("bool by default");
 * ```
 */
export function gateOf(step: Pick<LockStep, "with">): Gate {
  const w = step.with;
  const answer = isMap(w.answer) ? w.answer : {};
  const type = (ANSWER_TYPES as readonly unknown[]).includes(answer.type)
    ? answer.type as AnswerType
    : "bool";
  return {
    prompt: String(w.prompt ?? ""),
    type,
    ...(Array.isArray(answer.choices) ? { choices: answer.choices.map(String) } : {}),
    ...(answer.default !== undefined ? { default: answer.default as AnswerValue } : {}),
    onFalse: answer.on_false === "continue" ? "continue" : "fail",
  };
}

/**
 * Whether `value` (from YAML or JSON: an answers file, a default) answers `gate`, and why not.
 * A `bool` gate takes a boolean, an `enum` gate one of its choices, a `text` gate a string.
 *
 * @example
 * ```ts
 * import { type Gate, valueProblem } from "./human.ts";
 * const gate: Gate = { prompt: "?", type: "enum", choices: ["dev", "prod"], onFalse: "fail" };
 * if (valueProblem(gate, "prod") || !valueProblem(gate, "qa")?.includes("`dev`")) {
 *   throw new Error("enum");
 * }
 * ```
 */
export function valueProblem(gate: Gate, value: unknown): string | undefined {
  switch (gate.type) {
    case "bool":
      return typeof value === "boolean"
        ? undefined
        : `a \`bool\` gate takes true or false, not ${shownValue(value)}`;
    case "enum":
      if (typeof value !== "string") {
        return `an \`enum\` gate takes one of ${listNames(gate.choices ?? [], 12)}, not ${
          shownValue(value)
        }`;
      }
      return (gate.choices ?? []).includes(value)
        ? undefined
        : `${shownValue(value)} is not one of ${listNames(gate.choices ?? [], 12)}${
          didYouMean(value, gate.choices ?? [])
            ? ` (did you mean \`${didYouMean(value, gate.choices ?? [])}\`?)`
            : ""
        }`;
    case "text":
      return typeof value === "string"
        ? undefined
        : `a \`text\` gate takes a string, not ${shownValue(value)} (quote it)`;
  }
}

/** Words a command line gives a `bool` gate (`--approve ID=yes`), as `-p` reads a bool. */
const TRUE_WORDS = ["true", "yes", "y", "1", "on"];
const FALSE_WORDS = ["false", "no", "n", "0", "off"];

/**
 * A command-line value for `gate` (`--approve ID=VALUE`; `undefined` for a bare `--approve ID`):
 * a bare flag approves a `bool` gate and takes the default of another gate.
 *
 * @example
 * ```ts
 * import { type Gate, valueFromText } from "./human.ts";
 * const gate: Gate = { prompt: "?", type: "bool", onFalse: "fail" };
 * const yes = valueFromText(gate, undefined), no = valueFromText(gate, "no");
 * if (!("value" in yes) || yes.value !== true || !("value" in no) || no.value !== false) {
 *   throw new Error("bool");
 * }
 * if (!("problem" in valueFromText(gate, "maybe"))) throw new Error("maybe is no bool");
 * ```
 */
export function valueFromText(
  gate: Gate,
  text: string | undefined,
): { value: AnswerValue } | { problem: string } {
  if (text === undefined) {
    if (gate.type === "bool") return { value: true };
    if (gate.default !== undefined) return { value: gate.default };
    return {
      problem:
        `a bare \`--approve\` answers only a \`bool\` gate (or one with a default); this \`${gate.type}\` gate needs a value`,
    };
  }
  if (gate.type === "bool") {
    const word = text.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return { value: true };
    if (FALSE_WORDS.includes(word)) return { value: false };
    return { problem: `a \`bool\` gate takes true or false (yes/no), not \`${text}\`` };
  }
  const problem = valueProblem(gate, text);
  return problem ? { problem } : { value: text };
}

/** The answer as a person reads it: yes/no for a bool. */
export function shownAnswer(value: AnswerValue): string {
  return typeof value === "boolean" ? (value ? "yes" : "no") : JSON.stringify(value);
}

function shownValue(value: unknown): string {
  if (typeof value === "string") return `\`${value}\``;
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return `\`${String(value)}\` (${typeof value === "number" ? "a number" : typeof value})`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The `human` kind: `check` reports every problem of the `with:` block at its field and fills
 * in `answer: {type: bool}` when the block has none; `build` gives the attempt's context as is
 * (no program runs: the kind runner, adapters/human.ts, asks).
 *
 * @example
 * ```ts
 * import { humanKind } from "./human.ts";
 * const w: Record<string, unknown> = { prompt: "Deploy where?", answer: { type: "enum" } };
 * const errors = humanKind.check!(w, { id: "where", spanOf: () => undefined });
 * if (errors.map((e) => e.code).join() !== "LILY-E0981") throw new Error("choices are needed");
 * const ok: Record<string, unknown> = { prompt: "Ship?" };
 * if (humanKind.check!(ok, { id: "ship", spanOf: () => undefined }).length) throw new Error();
 * if (JSON.stringify(ok.answer) !== '{"type":"bool"}') throw new Error("normalized");
 * ```
 */
export const humanKind: StepKind = {
  kind: "human",
  withSchema: {
    type: "object",
    required: ["prompt"],
    additionalProperties: false,
    properties: {
      prompt: { type: "string", minLength: 1 },
      answer: {
        type: "object",
        additionalProperties: false,
        properties: {
          type: { enum: [...ANSWER_TYPES] },
          choices: { type: "array", minItems: 1, items: { type: "string" } },
          default: { type: ["boolean", "string"] },
          on_false: { enum: [...ON_FALSE] },
        },
      },
    },
  },
  check(withBlock, { id, spanOf }) {
    const errors: LilyError[] = [];
    const at = (path: (string | number)[]) => spanOf(path);
    const add = (
      code: "LILY-E0980" | "LILY-E0981" | "LILY-E0982",
      path: (string | number)[],
      message: string,
      hint: string,
    ) =>
      errors.push(
        new LilyError(code, `human step \`${id}\`: ${message}`, { span: at(path), hint }),
      );
    for (const key of Object.keys(withBlock)) {
      if ((HUMAN_WITH_KEYS as readonly string[]).includes(key)) continue;
      const near = didYouMean(key, HUMAN_WITH_KEYS);
      add(
        "LILY-E0980",
        [key],
        `unknown field \`with.${key}\``,
        `${
          near ? `did you mean \`${near}\`? ` : ""
        }a human step's \`with:\` takes \`prompt\` and \`answer\``,
      );
    }
    const prompt = withBlock.prompt;
    if (typeof prompt !== "string" || prompt.trim() === "") {
      add(
        "LILY-E0980",
        prompt === undefined ? [] : ["prompt"],
        prompt === undefined ? "no `with.prompt`" : "`with.prompt` must be a non-empty string",
        'say what the person approves or answers: `with: {prompt: "Publish v1.2 to the registry?"}`',
      );
    }
    const answer = withBlock.answer ?? { type: "bool" };
    if (!isMap(answer)) {
      add(
        "LILY-E0980",
        ["answer"],
        "`with.answer` must be a map",
        "`answer: {type: bool}`, `{type: enum, choices: [a, b]}` or `{type: text}`",
      );
      return errors;
    }
    for (const key of Object.keys(answer)) {
      if ((ANSWER_KEYS as readonly string[]).includes(key)) continue;
      const near = didYouMean(key, ANSWER_KEYS);
      add(
        "LILY-E0980",
        ["answer", key],
        `unknown field \`with.answer.${key}\``,
        `${near ? `did you mean \`${near}\`? ` : ""}\`answer:\` takes ${listNames(ANSWER_KEYS)}`,
      );
    }
    const type = answer.type ?? "bool";
    if (!(ANSWER_TYPES as readonly unknown[]).includes(type)) {
      const near = typeof type === "string" ? didYouMean(type, ANSWER_TYPES) : undefined;
      add(
        "LILY-E0980",
        ["answer", "type"],
        `\`with.answer.type\` is \`${String(type)}\`, not a gate's answer type`,
        `${
          near ? `did you mean \`${near}\`? ` : ""
        }use bool (yes/no), enum (one of \`choices\`) or text`,
      );
      return errors;
    }
    const choices = answer.choices;
    if (type === "enum") {
      const problem = !Array.isArray(choices)
        ? choices === undefined ? "an `enum` gate needs `choices`" : "`choices` must be a list"
        : choices.length === 0
        ? "`choices` is empty"
        : choices.some((c) => typeof c !== "string" || c === "")
        ? "every choice must be a non-empty string (quote numbers)"
        : new Set(choices).size !== choices.length
        ? `\`choices\` lists \`${choices.find((c, i) => choices.indexOf(c) !== i)}\` twice`
        : undefined;
      if (problem) {
        add(
          "LILY-E0981",
          choices === undefined ? ["answer"] : ["answer", "choices"],
          problem,
          "list what the person picks from: `answer: {type: enum, choices: [staging, production]}`",
        );
        return errors;
      }
    } else if (choices !== undefined) {
      add(
        "LILY-E0981",
        ["answer", "choices"],
        `only an \`enum\` gate takes \`choices\` (this one is \`${type}\`)`,
        "make it `type: enum`, or remove `choices`",
      );
    }
    if (answer.on_false !== undefined) {
      if (type !== "bool") {
        add(
          "LILY-E0980",
          ["answer", "on_false"],
          `only a \`bool\` gate takes \`on_false\` (this one is \`${type}\`)`,
          "remove `on_false`",
        );
      } else if (!(ON_FALSE as readonly unknown[]).includes(answer.on_false)) {
        add(
          "LILY-E0980",
          ["answer", "on_false"],
          `\`on_false\` is \`${String(answer.on_false)}\``,
          "use `fail` (the default: a no fails the step, its dependants do not run) or `continue` (the step succeeds with answer false; dependants read it in `if:`)",
        );
      }
    }
    if (answer.default !== undefined) {
      const gate = gateOf({ with: { prompt: "", answer: { ...answer, type } } });
      const problem = valueProblem(gate, answer.default);
      if (problem) {
        add(
          "LILY-E0982",
          ["answer", "default"],
          `the default does not answer this gate: ${problem}`,
          type === "bool"
            ? "`default: true` or `default: false`"
            : type === "enum"
            ? "the default is one of `choices`"
            : 'a string: `default: "none"`',
        );
      }
    }
    if (!errors.length) withBlock.answer = { ...answer, type };
    return errors;
  },
  build(_step, context) {
    // Nothing to run: the kind runner (adapters/human.ts) asks, or takes the given answer.
    return { ...context };
  },
};

/**
 * Declares the output `answer` of every human step of `petal` that does not declare it
 * (rendered; changed in place), typed from its `with.answer.type`, so bindings and `if:` can
 * read `steps.<gate>.outputs.answer` with its type. A declared `answer` is left as written
 * ({@linkcode humanStepErrors} checks it).
 */
export function declareGateOutputs(petal: Petal): void {
  for (const step of [...petal.steps, ...(petal.on_error ?? [])]) {
    if (step.uses !== "human") continue;
    const answer = isMap(step.with?.answer) ? step.with.answer : {};
    const type = answer.type ?? "bool";
    if (!(ANSWER_TYPES as readonly unknown[]).includes(type)) continue;
    const outputs = step.outputs ?? {};
    if (!Object.hasOwn(outputs, "answer")) {
      step.outputs = { ...outputs, answer: { type: answerOutputType(type as AnswerType) } };
    }
  }
}

/**
 * The errors of human steps beyond their `with:` block: an `adapter:` other than `process`
 * (a gate runs in Lily's own process, where the terminal is), and outputs other than the
 * gate's `answer` (nothing would fill them) or `answer` with another type.
 */
export function humanStepErrors(petal: Petal, raw: unknown): LilyError[] {
  const errors: LilyError[] = [];
  for (const group of ["steps", "on_error"] as const) {
    (petal[group] ?? []).forEach((step, index) => {
      if (step.uses !== "human") return;
      const where = (path: (string | number)[], key = false): Span =>
        lazyLocate(raw, [group, index, ...path], { key });
      if (step.adapter !== undefined && step.adapter !== "process") {
        errors.push(
          new LilyError(
            "LILY-E0983",
            `human step \`${step.id}\`: \`adapter: ${step.adapter}\` cannot ask a person`,
            {
              span: where(["adapter"]),
              hint:
                "a gate runs in Lily's own process, where the terminal and the `--approve`/`--answers` flags are: remove `adapter:`",
            },
          ),
        );
      }
      const answer = isMap(step.with?.answer) ? step.with.answer : {};
      const type = answer.type ?? "bool";
      if (!(ANSWER_TYPES as readonly unknown[]).includes(type)) return;
      const expected = answerOutputType(type as AnswerType);
      for (const [name, decl] of Object.entries(step.outputs ?? {})) {
        if (name !== "answer") {
          errors.push(
            new LilyError(
              "LILY-E0983",
              `human step \`${step.id}\` declares output \`${name}\`, which a gate never fills`,
              {
                span: where(["outputs", name], true),
                hint:
                  `a gate has one output, \`answer\` (${expected}), declared for you: remove \`${name}\``,
              },
            ),
          );
        } else if ((decl.type ?? "str") !== expected || decl.path !== undefined) {
          errors.push(
            new LilyError(
              "LILY-E0983",
              `human step \`${step.id}\`: output \`answer\` of a \`${type}\` gate is \`${expected}\`${
                decl.path !== undefined ? " and has no `path:`" : ""
              }`,
              {
                span: where(["outputs", "answer"], true),
                hint:
                  `remove the declaration (it is declared for you), or declare \`answer: {type: ${expected}}\``,
              },
            ),
          );
        }
      }
    });
  }
  return errors;
}

/**
 * Explain's line for a human step: the gate, its answer, how it is answered.
 *
 * @example
 * ```ts
 * import { humanLine } from "./human.ts";
 * const step = { id: "ok", uses: "human", with: { prompt: "Ship?", answer: { type: "bool" } } };
 * // deno-lint-ignore no-explicit-any
 * const line = humanLine(step as any)!;
 * if (!line.includes('"Ship?"') || !line.includes("--approve ok")) throw new Error(line);
 * ```
 */
export function humanLine(step: Pick<LockStep, "id" | "uses" | "with">): string | undefined {
  if (step.uses !== "human") return undefined;
  const gate = gateOf(step);
  const answer = gate.type === "enum"
    ? `one of ${(gate.choices ?? []).join(" | ")}`
    : gate.type === "bool"
    ? `yes/no${gate.onFalse === "fail" ? " (no fails the step)" : " (no continues)"}`
    : "text";
  const dflt = gate.default !== undefined ? `, default ${shownAnswer(gate.default)}` : "";
  return `gate: ${
    JSON.stringify(gate.prompt)
  } → answer: ${answer}${dflt}; asked on the terminal, ` +
    `or \`--approve ${step.id}${
      gate.type === "bool" ? "" : "=VALUE"
    }\` / \`--answers FILE\`; never cached`;
}
