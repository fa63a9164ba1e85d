/**
 * How `lily explain` shows llm steps: the provider, the model as written, the base URL, the
 * parameters in the cache key, and the exact model id the lock pins (or that none is pinned
 * yet: the first answer pins it).
 * @module
 */
import type { LockStep } from "../schema/lock.ts";
import { modelPinKey, readLlmStep } from "./llm_request.ts";

/**
 * The explain line of an llm step, or undefined for another kind.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { llmLine } from "./llm_explain.ts";
 * const step = { id: "a", uses: "llm", with: { provider: "fake", model: "m", prompt: "hi" } };
 * assertEquals(llmLine(step as never, {}), "llm fake m (no server)");
 * ```
 */
export function llmLine(
  step: Pick<LockStep, "id" | "uses" | "with">,
  models: Record<string, string>,
): string | undefined {
  if (step.uses !== "llm") return undefined;
  const { plan } = readLlmStep(step.id, step.with);
  if (plan.provider === "fake") return `llm fake ${plan.model} (no server)`;
  const params = [
    plan.temperature !== undefined ? `temperature ${plan.temperature}` : "",
    plan.seed !== undefined ? `seed ${plan.seed}` : "",
    plan.maxTokens !== undefined ? `max_tokens ${plan.maxTokens}` : "",
  ].filter(Boolean);
  const pin = models[modelPinKey(plan)];
  return `llm ${plan.provider} ${plan.model} at ${plan.baseUrl}${
    params.length ? `, ${params.join(", ")}` : ""
  }; ${pin ? `pinned ${pin}` : "not pinned yet (the first answer pins it)"}`;
}

/** The JSON form of an llm step for `explain --format json`: provider, model, base URL, pin. */
export function llmFacts(
  step: Pick<LockStep, "id" | "with">,
  models: Record<string, string>,
): Record<string, unknown> {
  const { plan } = readLlmStep(step.id, step.with);
  const key = modelPinKey(plan);
  return {
    provider: plan.provider,
    model: plan.model,
    base_url: plan.baseUrl || null,
    pin_key: plan.provider === "fake" ? null : key,
    pinned: models[key] ?? null,
  };
}

/**
 * What an llm step reaches, for explain's `network` fact (its `resources.network` does not
 * apply: Lily makes the call): its provider's `host:port`, or `off` for the fake provider.
 * Undefined for another kind.
 *
 * @example
 * ```ts
 * import { assertEquals } from "../../tests/_assert.ts";
 * import { llmNetwork } from "./llm_explain.ts";
 * const step = {
 *   id: "a",
 *   uses: "llm",
 *   with: { provider: "openai", model: "m", prompt: "hi", base_url: "https://api.example.com/v1" },
 * };
 * assertEquals(llmNetwork(step as never), "network only api.example.com:443 (the provider)");
 * ```
 */
export function llmNetwork(step: Pick<LockStep, "id" | "uses" | "with">): string | undefined {
  if (step.uses !== "llm") return undefined;
  const { plan } = readLlmStep(step.id, step.with);
  if (plan.provider === "fake" || !plan.baseUrl) return "network off";
  try {
    const url = new URL(plan.baseUrl);
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    return `network only ${url.hostname.replace(/^\[|\]$/g, "")}:${port} (the provider)`;
  } catch {
    return `network only ${plan.baseUrl} (the provider)`;
  }
}
