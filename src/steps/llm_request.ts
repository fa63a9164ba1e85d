/**
 * An llm step's request, read from its `with:` block: what compose checks (every problem, each
 * located by its path below `with`) and what the runner (adapters/llm.ts) sends. One reader
 * serves both, so a lock edited by hand is refused at run time with compose's words. Inputs
 * reach the prompt only at run time, through `$LILY_INPUT_NAME` placeholders (templates render
 * at compose, before any step ran). Nothing here touches the network.
 * @module
 */
import { didYouMean, listNames } from "../errors.ts";
import { urlProblem } from "./http.ts";

/** The providers an llm step may name. */
export const LLM_PROVIDERS = ["openai", "anthropic", "ollama", "fake"] as const;
/** One of {@linkcode LLM_PROVIDERS}. */
export type LlmProvider = typeof LLM_PROVIDERS[number];
/** The keys of an llm step's `with:` block. */
export const LLM_WITH_KEYS = [
  "provider",
  "model",
  "prompt",
  "base_url",
  "system",
  "messages",
  "temperature",
  "seed",
  "max_tokens",
  "stream",
] as const;
/** The base URL of each provider when `with.base_url` is not given. */
export const DEFAULT_BASE_URLS: Record<LlmProvider, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  ollama: "http://127.0.0.1:11434",
  fake: "",
};
/** Anthropic's API requires `max_tokens`; this is sent when the step gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** One message of a conversation. */
export interface LlmMessage {
  role: "user" | "assistant";
  content: string;
}

/** What an llm step asks (placeholders not yet filled). */
export interface LlmPlan {
  provider: LlmProvider;
  model: string;
  /** The base URL (the default of the provider when the step gives none; "" for `fake`). */
  baseUrl: string;
  system?: string;
  /** Earlier turns, then the prompt as the last user message. */
  messages: LlmMessage[];
  prompt?: string;
  temperature?: number;
  seed?: number;
  maxTokens?: number;
  /** Ask for the streamed form of the answer (openai, anthropic, ollama): default true. */
  stream: boolean;
}

/** One problem with an llm step's `with:` block, located by its path below `with`. */
export interface LlmProblem {
  code: "LILY-E0990" | "LILY-E0991" | "LILY-E0992" | "LILY-E0993";
  path: (string | number)[];
  /** Points at the key rather than its value. */
  key?: boolean;
  message: string;
  hint: string;
}

/**
 * Reads and checks an llm step's `with:` block. `problems` is empty when it can be sent.
 *
 * @example
 * ```ts
 * import { readLlmStep } from "./llm_request.ts";
 * const { plan, problems } = readLlmStep("ask", { provider: "fake", model: "m", prompt: "hi" });
 * if (problems.length || plan.messages.length !== 1 || !plan.stream) throw new Error("read");
 * ```
 */
export function readLlmStep(
  id: string,
  w: Record<string, unknown>,
): { plan: LlmPlan; problems: LlmProblem[] } {
  const problems: LlmProblem[] = [];
  const add = (
    code: LlmProblem["code"],
    path: (string | number)[],
    message: string,
    hint: string,
    key = false,
  ) => problems.push({ code, path, key, message: `llm step \`${id}\`: ${message}`, hint });
  const plan: LlmPlan = { provider: "fake", model: "", baseUrl: "", messages: [], stream: true };
  for (const key of Object.keys(w)) {
    if (!(LLM_WITH_KEYS as readonly string[]).includes(key)) {
      const near = didYouMean(key, LLM_WITH_KEYS);
      add(
        "LILY-E0990",
        [key],
        `unknown field \`with.${key}\``,
        `${near ? `did you mean \`${near}\`? ` : ""}an llm step's \`with:\` takes ${
          listNames(LLM_WITH_KEYS, 20)
        }`,
        true,
      );
    }
  }
  if (typeof w.provider === "string" && (LLM_PROVIDERS as readonly string[]).includes(w.provider)) {
    plan.provider = w.provider as LlmProvider;
  } else {
    const near = typeof w.provider === "string" ? didYouMean(w.provider, LLM_PROVIDERS) : undefined;
    add(
      "LILY-E0991",
      w.provider === undefined ? [] : ["provider"],
      w.provider === undefined
        ? "needs `with.provider`"
        : `\`with.provider\` is ${JSON.stringify(w.provider)}, not a provider Lily speaks to`,
      `${near ? `did you mean \`${near}\`? ` : ""}use one of ${
        listNames(LLM_PROVIDERS)
      } (\`openai\` also serves any OpenAI-compatible server through \`base_url\`)`,
    );
  }
  if (typeof w.model === "string" && w.model.trim() !== "") plan.model = w.model;
  else {
    add(
      "LILY-E0991",
      w.model === undefined ? [] : ["model"],
      w.model === undefined ? "needs `with.model`" : "`with.model` must be a non-empty string",
      "name the model as the provider does: `model: gpt-4o-mini` (an alias is pinned to the exact id the provider reports)",
    );
  }
  plan.baseUrl = DEFAULT_BASE_URLS[plan.provider];
  if (w.base_url !== undefined) {
    const problem = typeof w.base_url === "string" ? urlProblem(w.base_url) : "is not a string";
    if (plan.provider === "fake") {
      add(
        "LILY-E0992",
        ["base_url"],
        "the `fake` provider calls no server: `with.base_url` would be ignored",
        "remove `base_url`, or choose a provider that has a server",
      );
    } else if (problem) {
      add(
        "LILY-E0992",
        ["base_url"],
        `\`with.base_url\` ${problem}`,
        "write an absolute `http://` or `https://` URL: `base_url: http://127.0.0.1:8000/v1`",
      );
    } else plan.baseUrl = (w.base_url as string).replace(/\/+$/, "");
  }
  const text = (field: "prompt" | "system") => {
    const value = w[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
      add("LILY-E0993", [field], `\`with.${field}\` must be text`, `write it as a string`);
      return undefined;
    }
    return value;
  };
  plan.prompt = text("prompt");
  plan.system = text("system");
  if (w.messages !== undefined) {
    if (!Array.isArray(w.messages)) {
      add(
        "LILY-E0993",
        ["messages"],
        "`with.messages` must be a list",
        "write `messages: [{role: user, content: …}, {role: assistant, content: …}]`",
      );
    } else {
      w.messages.forEach((m, i) => {
        const entry = typeof m === "object" && m !== null && !Array.isArray(m)
          ? m as Record<string, unknown>
          : undefined;
        if (
          !entry || (entry.role !== "user" && entry.role !== "assistant") ||
          typeof entry.content !== "string" || Object.keys(entry).length !== 2
        ) {
          add(
            "LILY-E0993",
            ["messages", i],
            `\`with.messages[${i}]\` must be \`{role: user | assistant, content: TEXT}\``,
            "the system prompt goes in `with.system`",
          );
        } else plan.messages.push({ role: entry.role, content: entry.content as string });
      });
    }
  }
  if (plan.prompt !== undefined) plan.messages.push({ role: "user", content: plan.prompt });
  if (plan.messages.length === 0 && !problems.some((p) => p.path[0] === "messages")) {
    add(
      "LILY-E0993",
      [],
      "needs `with.prompt` (or `with.messages`)",
      "give it `with: {prompt: Summarize $LILY_INPUT_TEXT}`",
    );
  } else if (plan.messages.length && plan.messages[plan.messages.length - 1].role !== "user") {
    add(
      "LILY-E0993",
      ["messages"],
      "the conversation ends with an assistant message: there is nothing to answer",
      "add `with.prompt` (the last user message)",
    );
  }
  const number = (
    field: "temperature" | "seed" | "max_tokens",
    ok: (n: number) => boolean,
    what: string,
  ) => {
    const value = w[field];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !ok(value)) {
      add(
        "LILY-E0993",
        [field],
        `\`with.${field}\` must be ${what}`,
        `e.g. \`${field}: ${field === "temperature" ? "0" : field === "seed" ? "42" : "512"}\``,
      );
      return undefined;
    }
    return value;
  };
  plan.temperature = number("temperature", (n) => n >= 0 && n <= 2, "a number from 0 to 2");
  plan.seed = number("seed", Number.isSafeInteger, "a whole number");
  plan.maxTokens = number(
    "max_tokens",
    (n) => Number.isSafeInteger(n) && n > 0,
    "a whole number above 0",
  );
  if (w.stream !== undefined) {
    if (typeof w.stream !== "boolean") {
      add("LILY-E0993", ["stream"], "`with.stream` must be true or false", "omit it to stream");
    } else plan.stream = w.stream;
  }
  return { plan, problems };
}

/** The input names `$LILY_INPUT_NAME` / `${LILY_INPUT_NAME}` placeholders in `text` refer to. */
export function placeholderNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{?LILY_INPUT_([A-Za-z0-9_]+)\}?/g)) {
    names.add(m[1].toLowerCase());
  }
  return [...names];
}

/**
 * `text` with each `$LILY_INPUT_NAME` / `${LILY_INPUT_NAME}` replaced by the input's value
 * (from the step's environment); an unknown name stays as written.
 *
 * @example
 * ```ts
 * import { fillPlaceholders } from "./llm_request.ts";
 * const env = { LILY_INPUT_TEXT: "a cat" };
 * if (fillPlaceholders("Describe ${LILY_INPUT_TEXT}.", env) !== "Describe a cat.") throw new Error();
 * ```
 */
export function fillPlaceholders(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{LILY_INPUT_([A-Za-z0-9_]+)\}|\$LILY_INPUT_([A-Za-z0-9_]+)/g,
    (all, a, b) => {
      const name = `LILY_INPUT_${String(a ?? b).toUpperCase()}`;
      return Object.hasOwn(env, name) ? env[name] : all;
    },
  );
}

/** The `registry_pins.models` key of a plan's model: provider, model and base URL. */
export function modelPinKey(plan: Pick<LlmPlan, "provider" | "model" | "baseUrl">): string {
  return `${plan.provider}:${plan.model}@${plan.baseUrl}`;
}
