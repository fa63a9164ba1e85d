/**
 * The `llm` kind runner: an llm step is one call to its provider, made by Lily's process (no
 * program, no sandbox host). The request is read from the lock step (src/steps/llm_request.ts),
 * its `$LILY_INPUT_X` placeholders filled from the environment the engine built; it goes out
 * through one door (src/llm/guard.ts: only the base URL's host, redirects checked hop by hop;
 * then the cassette when `--cassettes` asks for one), with at most `--llm-concurrency` calls
 * in flight per provider. The rendered request (never the key) and the answer are written to
 * the run's `llm/` folder and listed with their sha256 in the manifest (`artifacts`); the
 * answer fills `text` and `json` through `$LILY_OUTPUT`, like every step. A 429 or 5xx asks
 * the engine for another attempt after the server's `Retry-After`; an answer that fails the
 * `json` output's schema is retried with the error appended to the conversation.
 * @module
 */
import { isAbsolute, join, relative } from "node:path";
import { maskData } from "../src/sandbox/mask_record.ts";
import { anthropicProtocol } from "../src/llm/anthropic.ts";
import {
  type LlmAnswer,
  type LlmCall,
  parseJsonAnswer,
  type ProviderProtocol,
} from "../src/llm/call.ts";
import {
  type CassetteMode,
  cassettePath,
  cassetteShelf,
  isCassetteMode,
} from "../src/llm/cassette.ts";
import { fakeAnswer } from "../src/llm/fake.ts";
import { guardedFetch, HostDenied, providerHost } from "../src/llm/guard.ts";
import { ProviderLimiter } from "../src/llm/limiter.ts";
import { ollamaProtocol } from "../src/llm/ollama.ts";
import { openaiProtocol } from "../src/llm/openai.ts";
import { recordModelPin } from "../src/llm/pins.ts";
import { LilyError } from "../src/errors.ts";
import { schemaViolation } from "../src/json_schema/validate.ts";
import { createMasker, type Masker } from "../src/sandbox/mask.ts";
import type { LockStep } from "../src/schema/lock.ts";
import { API_KEY_INPUT, MODEL_PIN_ENV } from "../src/steps/llm.ts";
import {
  fillPlaceholders,
  type LlmPlan,
  modelPinKey,
  readLlmStep,
} from "../src/steps/llm_request.ts";
import { canonicalJson, sha256Hex } from "../src/util/canonical_json.ts";
import { VERSION } from "../src/version.ts";
import { retryAfterMs } from "./http.ts";
import type { AdapterContext } from "./mod.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

/** Calls in flight per provider endpoint when `--llm-concurrency` is not given. */
export const DEFAULT_LLM_CONCURRENCY = 4;
/** How much of an error answer's body a failure quotes (characters). */
const EXCERPT = 300;

const PROTOCOLS: Record<Exclude<LlmPlan["provider"], "fake">, ProviderProtocol> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  ollama: ollamaProtocol,
};

/** A cassette around the door (src/llm/cassette.ts), when `--cassettes` names a mode. */
export type CassetteWrap = (
  inner: typeof fetch,
  step: LockStep,
  secrets: readonly string[],
) => Promise<{ fetch: typeof fetch; save(): Promise<void> }>;

/** Options of {@linkcode llmRunner} beyond the adapter context. */
export interface LlmRunnerOptions {
  /** The fetch under the door (tests of the door itself; default: the global fetch). */
  fetch?: typeof fetch;
  /** Wraps the door in a cassette for one attempt. */
  cassette?: CassetteWrap;
}

type Failure = { code: string; message: string; hint?: string };

/** How sending one request ended. */
type Sent =
  | { answer: LlmAnswer; status: number }
  | { failure: Failure; retryable: boolean; status?: number; retryAfterMs?: number }
  | { denied: HostDenied }
  | { aborted: true };

/**
 * The kind runner of `uses: llm`. Reads `kindOptions.llm_concurrency` (a number),
 * `kindOptions.locked` (`run --locked`: a missing or drifted model pin fails the step) and
 * `kindOptions.frozen` (`run --frozen`: the lock is never written) and `kindOptions.cassettes`
 * (`run --cassettes MODE`: every call goes through the step's cassette).
 */
export function llmRunner(context: AdapterContext, options: LlmRunnerOptions = {}): Adapter {
  const kind = context.kindOptions ?? {};
  const concurrency = typeof kind.llm_concurrency === "number"
    ? kind.llm_concurrency
    : DEFAULT_LLM_CONCURRENCY;
  const limiter = new ProviderLimiter(concurrency);
  // The last invalid answer of a step and why, for its next attempt.
  const feedback = new Map<string, { answer: string; problem: string }>();
  const state: RunnerState = {
    context,
    limiter,
    feedback,
    locked: kind.locked === true,
    frozen: kind.frozen === true,
    inner: options.fetch ?? fetch,
    cassette: options.cassette ??
      (isCassetteMode(kind.cassettes) ? cassetteWrap(context, kind.cassettes) : undefined),
  };
  return {
    name: "llm",
    async run(request) {
      const t0 = performance.now();
      try {
        return await callStep(request, state);
      } catch (error) {
        const failed: StepResult = {
          exitCode: null,
          signal: null,
          durationMs: performance.now() - t0,
        };
        if (!request.signal.aborted) {
          failed.error = {
            code: "LILY-E0997",
            message: `llm step \`${request.step.id}\`: ${secretsOf(request).mask(reason(error))}`,
          };
        }
        return failed;
      }
    },
  };
}

/**
 * The cassettes of one run (`--cassettes MODE`): each step's file
 * `cassettes/<workflow>/<step>.yaml`, opened on a shelf so a step's attempts and retries are one
 * vcr session (src/llm/cassette.ts, docs/cassettes.md).
 */
function cassetteWrap(context: AdapterContext, mode: CassetteMode): CassetteWrap {
  const shelf = cassetteShelf();
  return (door, step, secrets) =>
    shelf.open(door, {
      mode,
      path: cassettePath(context.projectRoot, context.workflow ?? "workflow", step.id),
      secrets,
    });
}

interface RunnerState {
  context: AdapterContext;
  limiter: ProviderLimiter;
  feedback: Map<string, { answer: string; problem: string }>;
  locked: boolean;
  frozen: boolean;
  inner: typeof fetch;
  cassette?: CassetteWrap;
}

/** The masker of a step's secrets (the key and every secret input), from its environment. */
function secretsOf(request: StepRequest): Masker & { values: string[] } {
  const values: string[] = [];
  for (const [name, io] of Object.entries(request.step.inputs)) {
    const value = request.spec.env[`LILY_INPUT_${name.toUpperCase()}`];
    if (io.type === "secret" && value) values.push(value);
  }
  return Object.assign(createMasker(values), { values });
}

/** One attempt: render, send, read, capture, check, write the outputs. */
async function callStep(request: StepRequest, state: RunnerState): Promise<StepResult> {
  const t0 = performance.now();
  const step = request.step;
  const env = request.spec.env;
  const masker = secretsOf(request);
  const enforcement = enforcementOf(step);
  const done = (fields: Partial<StepResult>): StepResult => ({
    exitCode: fields.error || fields.denied ? null : 0,
    signal: null,
    durationMs: performance.now() - t0,
    enforcement,
    ...fields,
  });
  const fail = (error: Failure, extra: Partial<StepResult> = {}) =>
    done({
      error: { ...error, message: masker.mask(error.message) },
      ...extra,
    });
  const log = (line: string) =>
    request.write(new TextEncoder().encode(`${masker.mask(line)}\n`), "stderr");

  const { plan, problems } = readLlmStep(step.id, step.with);
  if (problems.length) {
    const p = problems[0];
    return fail({ code: p.code, message: p.message, hint: p.hint }, { retryable: false });
  }
  const pinKey = modelPinKey(plan);
  const pinned = env[MODEL_PIN_ENV];
  if (state.locked && plan.provider !== "fake" && !pinned) {
    return fail({
      code: "LILY-E0999",
      message:
        `llm step \`${step.id}\`: --locked, and the lock pins no exact id for model \`${plan.model}\` (${pinKey})`,
      hint:
        "run once without --locked: the first answer pins the model id the provider reports in `registry_pins.models`",
    }, { retryable: false });
  }
  const jsonIo = Object.hasOwn(step.outputs, "json") ? step.outputs.json : undefined;
  // The model is sent as written (an alias stays an alias): the pin is checked against the id
  // each answer reports, never sent, so a cassette recorded before the pin still matches.
  const call: LlmCall = {
    provider: plan.provider,
    model: plan.model,
    baseUrl: plan.baseUrl,
    messages: plan.messages.map((m) => ({
      role: m.role,
      content: fillPlaceholders(m.content, env),
    })),
    stream: plan.stream,
    json: jsonIo !== undefined,
    ...(plan.system !== undefined ? { system: fillPlaceholders(plan.system, env) } : {}),
    ...(plan.temperature !== undefined ? { temperature: plan.temperature } : {}),
    ...(plan.seed !== undefined ? { seed: plan.seed } : {}),
    ...(plan.maxTokens !== undefined ? { maxTokens: plan.maxTokens } : {}),
    ...(jsonIo?.schema ? { schema: jsonIo.schema as Record<string, unknown> } : {}),
  };
  // The previous attempt's answer did not fit the schema: the model sees it and why.
  const previous = state.feedback.get(step.id);
  if (previous) {
    call.messages.push({ role: "assistant", content: previous.answer });
    call.messages.push({
      role: "user",
      content:
        `That answer is not valid: ${previous.problem}. Answer again with only the corrected JSON value.`,
    });
  }
  const attempt = env.LILY_ATTEMPT ?? "1";
  const base = `llm/${step.id.replace(/[^A-Za-z0-9_.-]/g, "_")}.${attempt}`;
  const artifacts: NonNullable<StepResult["artifacts"]> = {};
  const capture = async (name: string, value: unknown) => {
    const dir = state.context.runDir;
    if (!dir) return;
    // Masked value by value, then serialized: a secret such as `null` cannot break the JSON.
    const text = canonicalJson(maskData(value, masker.mask)) + "\n";
    const bytes = new TextEncoder().encode(text);
    await Deno.mkdir(join(dir, "llm"), { recursive: true });
    await Deno.writeFile(join(dir, `${base}.${name}.json`), bytes);
    artifacts[`${name}`] = {
      path: `${base}.${name}.json`,
      sha256: `sha256:${sha256Hex(bytes)}`,
      size: bytes.length,
    };
  };
  await capture("request", {
    provider: call.provider,
    base_url: call.baseUrl || null,
    model: call.model,
    model_pinned: pinned ?? null,
    system: call.system ?? null,
    messages: call.messages,
    temperature: call.temperature ?? null,
    seed: call.seed ?? null,
    max_tokens: call.maxTokens ?? null,
    stream: call.stream,
    schema: call.schema ?? null,
  });
  await log(
    `> ${call.provider} ${call.model}${call.baseUrl ? ` at ${call.baseUrl}` : ""}${
      previous ? " (again, with the validation error)" : ""
    }`,
  );

  let answer: LlmAnswer;
  let status = 200;
  if (call.provider === "fake") answer = fakeAnswer(call);
  else {
    const protocol = PROTOCOLS[call.provider];
    const apiKey = env[`LILY_INPUT_${API_KEY_INPUT.toUpperCase()}`] || undefined;
    const wire = protocol.request(call, apiKey);
    wire.headers["user-agent"] = `lily/${VERSION}`;
    let door = guardedFetch(state.inner, providerHost(call.baseUrl));
    let cassette: Awaited<ReturnType<CassetteWrap>> | undefined;
    try {
      cassette = state.cassette ? await state.cassette(door, step, masker.values) : undefined;
    } catch (error) {
      // A broken cassette file is the user's to fix: reported as it is, never retried.
      if (error instanceof LilyError) {
        return fail(asFailure(error, state.context.projectRoot), { retryable: false });
      }
      throw error;
    }
    if (cassette) door = cassette.fetch;
    const sent = await state.limiter.run(`${call.provider} ${call.baseUrl}`, async (): Promise<
      Sent
    > => {
      let response: Response;
      try {
        response = await door(wire.url, {
          method: "POST",
          headers: wire.headers,
          body: JSON.stringify(wire.body),
          signal: request.signal,
        });
      } catch (error) {
        if (error instanceof HostDenied) return { denied: error };
        if (request.signal.aborted) return { aborted: true as const };
        // The cassette cannot serve the request (a replay-only mode): it would recur.
        if (error instanceof LilyError) {
          return { failure: asFailure(error, state.context.projectRoot), retryable: false };
        }
        return {
          failure: {
            code: "LILY-E0997",
            message: `llm step \`${step.id}\`: POST ${wire.url} failed: ${reason(error)}`,
            hint: step.retries.max > 0
              ? "is the server up and `with.base_url` right?"
              : "is the server up and `with.base_url` right? (the step is retried if it has `retries:`)",
          },
          retryable: true,
        };
      }
      if (response.status < 200 || response.status > 299) {
        const excerpt = await bodyExcerpt(response);
        const retryable = response.status === 429 || response.status >= 500;
        const wait = retryable
          ? retryAfterMs(response.headers.get("retry-after"), step.retries.max_backoff_ms)
          : undefined;
        return {
          failure: {
            code: "LILY-E0997",
            message: `llm step \`${step.id}\`: ${call.provider} answered ${response.status}${
              response.statusText ? ` ${response.statusText}` : ""
            }${excerpt ? `: ${excerpt}` : ""}`,
            hint: retryable
              ? retryHint(
                step,
                "the provider may recover: give the step `retries: {max: 3}` (a `Retry-After` is honoured)",
              )
              : response.status === 401 || response.status === 403
              ? "check the API key (the `api_key` input) and its permissions"
              : "check `with.model` and the request's parameters against the provider's documentation",
          },
          retryable,
          status: response.status,
          ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        };
      }
      try {
        return { answer: await protocol.read(response, call), status: response.status };
      } catch (error) {
        if (request.signal.aborted) return { aborted: true as const };
        return {
          failure: {
            code: "LILY-E0997",
            message: `llm step \`${step.id}\`: the answer of ${call.provider} could not be read: ${
              reason(error)
            }`,
          },
          retryable: true,
        };
      }
    });
    if (cassette) await cassette.save();
    if ("aborted" in sent) return done({ exitCode: null });
    if ("denied" in sent) {
      const e = sent.denied;
      await log(`! ${e.message}`);
      return done({ denied: { kind: "net", target: e.target, message: e.message }, artifacts });
    }
    if ("failure" in sent) {
      await log(`< ${sent.status ?? "no answer"}`);
      return fail(sent.failure, {
        retryable: sent.retryable,
        artifacts,
        ...(sent.retryAfterMs !== undefined ? { retryAfterMs: sent.retryAfterMs } : {}),
      });
    }
    answer = sent.answer;
    status = sent.status;
  }
  await capture("response", {
    status,
    model: answer.model,
    text: answer.text,
    usage: answer.usage,
    streamed: answer.streamed,
  });
  await log(
    `< ${status} ${answer.model}${answer.streamed ? " (streamed)" : ""}: ${
      answer.usage.input_tokens ?? "?"
    } tokens in, ${answer.usage.output_tokens ?? "?"} out`,
  );
  const metrics: Record<string, number> = {};
  if (call.provider !== "fake") metrics.llm_http_status = status;
  if (answer.usage.input_tokens !== undefined) metrics.llm_input_tokens = answer.usage.input_tokens;
  if (answer.usage.output_tokens !== undefined) {
    metrics.llm_output_tokens = answer.usage.output_tokens;
  }
  if (answer.usage.cost !== undefined) metrics.llm_cost = answer.usage.cost;

  // The model pin: the exact id the provider reports.
  if (plan.provider !== "fake" && answer.model) {
    if (pinned && answer.model !== pinned) {
      if (state.locked) {
        return fail({
          code: "LILY-E0999",
          message:
            `llm step \`${step.id}\`: --locked, and ${call.provider} answered with model \`${answer.model}\`, not the pinned \`${pinned}\``,
          hint:
            "the provider serves another model under this name now: run without --locked to re-pin it (then review the outputs), or pin the exact id in `with.model`",
        }, { retryable: false, metrics, artifacts });
      }
      await log(`! model drift: ${pinned} is now answered as ${answer.model} (re-pinned)`);
    }
    const lockPath = state.context.lockPath;
    if (answer.model !== pinned && lockPath && !state.frozen && !state.locked) {
      await recordModelPin(lockPath, pinKey, answer.model);
      await log(`pinned ${pinKey} = ${answer.model} in ${lockPath}`);
    }
  }

  const out: Record<string, unknown> = {};
  if (Object.hasOwn(step.outputs, "text")) out.text = answer.text;
  if (jsonIo) {
    const parsed = parseJsonAnswer(answer.text);
    const problem = "error" in parsed
      ? parsed.error
      : jsonIo.schema
      ? await schemaViolation(parsed.value, jsonIo.schema as Record<string, unknown>)
      : undefined;
    if (problem !== undefined) {
      state.feedback.set(step.id, { answer: answer.text, problem });
      await log(`! the answer does not fit output \`json\`: ${problem}`);
      return fail({
        code: "LILY-E0998",
        message: `llm step \`${step.id}\`: the answer does not fit output \`json\`: ${problem}`,
        hint: step.retries.max > 0
          ? "each retry sends the answer back with this error; raise `retries.max`, or make the schema easier to meet"
          : "give the step `retries: {max: 2}`: a retry sends the answer back with this error",
      }, { retryable: true, metrics, artifacts });
    }
    out.json = canonicalJson((parsed as { value: unknown }).value);
  }
  state.feedback.delete(step.id);
  await Deno.writeTextFile(env.LILY_OUTPUT, JSON.stringify(out));
  return done({ metrics, artifacts });
}

/**
 * A LilyError as a step failure: its code, its `file:line:col` (relative to `root`) when it has
 * one, its message with its notes, and its hint.
 */
function asFailure(error: LilyError, root: string): Failure {
  const notes = error.notes.map((n) => n.message).join("; ");
  const span = error.span;
  const file = span && isAbsolute(span.file) ? relative(root, span.file) : span?.file;
  const at = span ? `${file}:${span.line}:${span.col}: ` : "";
  return {
    code: error.code,
    message: `${at}${notes ? `${error.message} (${notes})` : error.message}`,
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

/**
 * A hint that tells the step to retry, only when it has no retries to give (`retries.max: 0`):
 * a step that has them is retried already, and its last failure is not helped by the advice.
 */
function retryHint(step: LockStep, hint: string): string | undefined {
  return step.retries.max > 0 ? undefined : hint;
}

/** What an llm attempt enforces: no program runs; only the provider's host is reached. */
function enforcementOf(step: LockStep): Record<string, unknown> {
  const { plan } = readLlmStep(step.id, step.with);
  const network = plan.provider === "fake" || !plan.baseUrl
    ? "off"
    : `only ${providerHost(plan.baseUrl)}`;
  return {
    sandbox: "none (no program runs: Lily makes the call)",
    adapter: "llm",
    network,
    enforced: true,
    mechanism:
      "Lily's llm runner: the provider's host (from `with.base_url`) is checked before every connection, redirects followed one hop at a time and each checked",
    filesystem: "only the run's llm/ records and the step's output file are written",
    holds: {
      network: "the provider's host only, checked in the engine before each connection",
      secrets: "the API key goes only in the provider's header; it is masked everywhere",
    },
    not_held: [],
  };
}

/** An error's message with its causes. */
function reason(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ") || String(error);
}

async function bodyExcerpt(response: Response): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, " ").trim();
    return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
  } catch {
    return "";
  }
}
