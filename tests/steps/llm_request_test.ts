// An llm step's `with:` block as compose and the runner read it: every problem at its path,
// defaults filled, and `$LILY_INPUT_X` placeholders found and filled (never a `$` that only
// looks like one).
import fc from "fast-check";
import { assertEquals } from "../_assert.ts";
import {
  fillPlaceholders,
  modelPinKey,
  placeholderNames,
  readLlmStep,
} from "../../src/steps/llm_request.ts";

Deno.test("llm request: defaults per provider; the prompt is the last user message", () => {
  const { plan, problems } = readLlmStep("a", {
    provider: "anthropic",
    model: "claude-x",
    messages: [{ role: "user", content: "one" }, { role: "assistant", content: "two" }],
    prompt: "three",
  });
  assertEquals(problems, []);
  assertEquals(plan.baseUrl, "https://api.anthropic.com/v1");
  assertEquals(plan.messages.map((m) => m.content), ["one", "two", "three"]);
  assertEquals(plan.stream, true);
  assertEquals(modelPinKey(plan), "anthropic:claude-x@https://api.anthropic.com/v1");
  const local = readLlmStep("b", { provider: "ollama", model: "m", prompt: "p" }).plan;
  assertEquals(local.baseUrl, "http://127.0.0.1:11434");
  const trailing = readLlmStep("c", {
    provider: "openai",
    model: "m",
    prompt: "p",
    base_url: "http://h:1/v1/",
  }).plan;
  assertEquals(trailing.baseUrl, "http://h:1/v1");
});

Deno.test("llm request: every problem, each at its path", () => {
  const { problems } = readLlmStep("a", {
    provider: "openai",
    model: "",
    base_url: "file:///etc",
    temperature: 3,
    seed: 1.5,
    max_tokens: 0,
    stream: "yes",
    messages: [{ role: "system", content: "x" }],
    promt: "hi",
  });
  assertEquals(problems.map((p) => [p.code, p.path.join(".")]), [
    ["LILY-E0990", "promt"],
    ["LILY-E0991", "model"],
    ["LILY-E0992", "base_url"],
    ["LILY-E0993", "messages.0"],
    ["LILY-E0993", "temperature"],
    ["LILY-E0993", "seed"],
    ["LILY-E0993", "max_tokens"],
    ["LILY-E0993", "stream"],
  ]);
  const ending = readLlmStep("b", {
    provider: "fake",
    model: "m",
    messages: [{ role: "assistant", content: "x" }],
  }).problems;
  assertEquals(ending.map((p) => p.code), ["LILY-E0993"]);
  const empty = readLlmStep("c", { provider: "fake", model: "m" }).problems;
  assertEquals(empty.map((p) => [p.code, p.path]), [["LILY-E0993", []]]);
});

Deno.test("llm request: placeholders are found and filled; unknown ones stay as written", () => {
  assertEquals(placeholderNames("a $LILY_INPUT_TEXT b ${LILY_INPUT_Other} $LILY_INPUT_TEXT"), [
    "text",
    "other",
  ]);
  assertEquals(placeholderNames("cost: $5, $HOME, $LILY_OUTPUT"), []);
  const env = { LILY_INPUT_TEXT: "x", LILY_INPUT_OTHER: "y" };
  assertEquals(
    fillPlaceholders("$LILY_INPUT_TEXT-${LILY_INPUT_OTHER}-$LILY_INPUT_NONE", env),
    "x-y-$LILY_INPUT_NONE",
  );
  // A value holding a placeholder is not filled again.
  fc.assert(fc.property(fc.string(), (value) => {
    assertEquals(fillPlaceholders("[$LILY_INPUT_V]", { LILY_INPUT_V: value }), `[${value}]`);
  }));
});
