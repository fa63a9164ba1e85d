/**
 * `uses: llm`: one call to a language model (docs/llm.md). Compose checks the `with:` block
 * (llm_request.ts) and the step's I/O (an `api_key` input is a secret, the outputs are `text`
 * and `json`, placeholders name declared inputs, the adapter is the default); the step runs in
 * Lily's process (adapters/llm.ts, a kind runner), so `build` only hands the runner the
 * environment and the model pin the lock holds. Nothing here touches the network.
 * @module
 */
import { LilyError, listNames, type Span } from "../errors.ts";
import type { LockIO, LockStep } from "../schema/lock.ts";
import type { StepKind } from "./kind.ts";
import { modelPinKey, placeholderNames, readLlmStep } from "./llm_request.ts";

/** The environment variable that carries the lock's pin of the step's model to the runner. */
export const MODEL_PIN_ENV = "LILY_LLM_MODEL_PIN";
/** The outputs an llm step fills, each with its type. */
export const LLM_OUTPUTS: Record<string, string> = { text: "str", json: "json" };
/** The input that holds the provider's API key. */
export const API_KEY_INPUT = "api_key";

/**
 * The `llm` kind.
 *
 * @example
 * ```ts
 * import { llmKind } from "./llm.ts";
 * const errors = llmKind.check!({ provider: "opena", model: "m", prompt: "hi" }, {
 *   id: "ask",
 *   spanOf: () => undefined,
 * });
 * if (errors[0]?.code !== "LILY-E0991") throw new Error("provider");
 * ```
 */
export const llmKind: StepKind = {
  kind: "llm",
  withSchema: {
    type: "object",
    required: ["provider", "model"],
    properties: {
      provider: { enum: ["openai", "anthropic", "ollama", "fake"] },
      model: { type: "string" },
      prompt: { type: "string" },
      base_url: { type: "string", format: "uri" },
      system: { type: "string" },
      messages: {
        type: "array",
        items: {
          type: "object",
          properties: { role: { enum: ["user", "assistant"] }, content: { type: "string" } },
        },
      },
      temperature: { type: "number", minimum: 0, maximum: 2 },
      seed: { type: "integer" },
      max_tokens: { type: "integer", minimum: 1 },
      stream: { type: "boolean" },
    },
  },
  check(withBlock, { id, spanOf }) {
    return readLlmStep(id, withBlock).problems.map((p) =>
      new LilyError(p.code, p.message, { span: spanOf(p.path), hint: p.hint })
    );
  },
  build(step, context, lock) {
    const { plan } = readLlmStep(step.id, step.with);
    const pin = lock?.registry_pins.models[modelPinKey(plan)];
    const env = { ...context.env };
    if (pin) env[MODEL_PIN_ENV] = pin;
    return { ...context, env, argv: [] };
  },
};

/** The step fields {@linkcode llmStepErrors} reads. */
export type LlmIoStep = Pick<LockStep, "id" | "adapter" | "with" | "inputs" | "outputs"> & {
  /** Every input the source declares (one that failed to bind is still a name). */
  declared?: readonly string[];
};

/**
 * The compose errors of an llm step's adapter and I/O, once its inputs are bound: `adapter:`
 * other than `http` (the default: Lily's process makes the call), an `api_key` that is not a
 * secret, an output other than `text` (str) and `json` (json), a placeholder naming no input or
 * the key. `where` locates a path below the step.
 */
export function llmStepErrors(
  step: LlmIoStep,
  where: (path: (string | number)[], key?: boolean) => Span | undefined,
): LilyError[] {
  const errors: LilyError[] = [];
  const id = step.id;
  if (step.adapter !== "http") {
    errors.push(
      new LilyError(
        "LILY-E0994",
        `llm step \`${id}\`: \`adapter: ${step.adapter}\` does not run llm steps`,
        {
          span: where(["adapter"]),
          hint:
            "remove `adapter:`: Lily makes the call itself (the default `http`), reaching only the provider's host",
        },
      ),
    );
  }
  if (Object.hasOwn(step.inputs, API_KEY_INPUT) && step.inputs[API_KEY_INPUT].type !== "secret") {
    errors.push(
      new LilyError(
        "LILY-E0994",
        `llm step \`${id}\`: input \`api_key\` is \`${
          step.inputs[API_KEY_INPUT].type
        }\`, not a secret`,
        {
          span: where(["inputs", API_KEY_INPUT]),
          hint:
            "take it from a secret param: `params: {key: {type: secret}}` and `inputs: {api_key: {from: params.key}}` (a non-secret would be logged and cached)",
        },
      ),
    );
  }
  for (const [name, io] of Object.entries(step.outputs) as [string, LockIO][]) {
    const type = Object.hasOwn(LLM_OUTPUTS, name) ? LLM_OUTPUTS[name] : undefined;
    if (type === undefined || io.type !== type || io.path !== undefined) {
      errors.push(
        new LilyError(
          "LILY-E0995",
          type === undefined
            ? `llm step \`${id}\`: output \`${name}\` is not filled by an llm call`
            : `llm step \`${id}\`: output \`${name}\` must be \`{type: ${type}}\` (a value, not a file)`,
          {
            span: where(["outputs", name], type === undefined),
            hint:
              "an llm step's outputs are `text` (str) and `json` (json, with a `schema:` to validate the answer)",
          },
        ),
      );
    }
  }
  const texts: [(string | number)[], unknown][] = [
    [["with", "prompt"], step.with.prompt],
    [["with", "system"], step.with.system],
    ...(Array.isArray(step.with.messages)
      ? step.with.messages.map((m, i) =>
        [["with", "messages", i, "content"], (m as { content?: unknown })?.content] as [
          (string | number)[],
          unknown,
        ]
      )
      : []),
  ];
  // A foreach sub-step (`<id>@<key>`) has its item as `$LILY_INPUT_ITEM` (docs/foreach.md).
  const item = step.id.includes("@") ? ["item"] : [];
  const inputNames = [...new Set([...Object.keys(step.inputs), ...step.declared ?? [], ...item])]
    .filter((n) => n !== API_KEY_INPUT);
  for (const [path, text] of texts) {
    if (typeof text !== "string") continue;
    for (const name of placeholderNames(text)) {
      if (name === API_KEY_INPUT) {
        errors.push(
          new LilyError("LILY-E0996", `llm step \`${id}\`: the prompt names the API key`, {
            span: where(path),
            hint: "the key authenticates the call; it never goes into a prompt",
          }),
        );
      } else if (!inputNames.includes(name)) {
        errors.push(
          new LilyError(
            "LILY-E0996",
            `llm step \`${id}\`: \`$LILY_INPUT_${name.toUpperCase()}\` names no input of the step`,
            {
              span: where(path),
              hint: inputNames.length
                ? `its inputs are ${
                  listNames(inputNames)
                }; declare \`inputs: {${name}: {from: …}}\``
                : `declare it: \`inputs: {${name}: {from: steps.OTHER.outputs.x}}\``,
            },
          ),
        );
      }
    }
  }
  return errors;
}
