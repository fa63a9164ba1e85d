/**
 * Re-records examples/llm/cassettes/ — the HTTP calls of `triage.petal --profile openai` — against
 * a local OpenAI-compatible server (the one the llm tests use, tests/llm/_servers.ts), so anyone
 * can re-record them from a fresh clone, without an account:
 *
 * ```sh
 * deno run -A examples/llm/record.ts
 * ```
 *
 * The server listens at the profile's default base URL, http://127.0.0.1:8808/v1 (a cassette
 * matches on the URL), and stands in for a model with two plain rules: a summary is the text's
 * first sentence; a label is the one whose keywords the summary mentions most. The run sends
 * `$OPENAI_API_KEY`, or a made-up key when it is not set, so the recording goes through the same
 * key scrubbing as a real one. To record against a real endpoint instead, run the workflow with
 * `--cassettes all -p base_url=… -p model=…` and the key in `$OPENAI_API_KEY`.
 * @module
 */
import { lastUserText, startLlmServer } from "../../tests/llm/_servers.ts";

/** The profile's default base URL's port (examples/llm/triage.petal, `params.base_url`). */
export const PORT = 8808;

/** The labels of triage.petal's schema, with the words that vote for each. */
export const KEYWORDS: Record<string, string[]> = {
  food: ["bake", "loaf", "flour", "risotto", "rice", "cook", "recipe"],
  sport: ["marathon", "runners", "race", "championship", "chess", "match"],
  science: ["photosynthesis", "energy", "gravity", "tides", "moon", "light"],
  technology: ["backup", "compiler", "code", "data", "software", "machine"],
  history: ["1450", "1761", "century", "gutenberg", "canal", "age"],
  nature: ["owls", "wetlands", "habitats", "birds", "hunt", "marsh"],
};

/** The first sentence of `text` (at most 25 words). */
export function firstSentence(text: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const end = words.findIndex((w) => /[.!?]$/.test(w));
  return words.slice(0, end < 0 ? 25 : Math.min(end + 1, 25)).join(" ");
}

/** The label whose keywords `summary` mentions most (the first label on a tie). */
export function labelOf(summary: string): string {
  const words = summary.toLowerCase();
  let best = Object.keys(KEYWORDS)[0];
  let most = 0;
  for (const [label, keys] of Object.entries(KEYWORDS)) {
    const n = keys.filter((k) => words.includes(k)).length;
    if (n > most) [best, most] = [label, n];
  }
  return best;
}

/** The server's answer to one chat request of the workflow. */
export function reply(body: Record<string, unknown>): string {
  const user = lastUserText(body);
  if (body.response_format) { // classify: structured output
    const summary = user.slice(user.indexOf("Summary:") + "Summary:".length).trim();
    return JSON.stringify({ label: labelOf(summary) });
  }
  // summarize: the prompt ends with the JSON record of the text.
  const record = JSON.parse(user.slice(user.indexOf("{"))) as { text: string };
  return firstSentence(record.text);
}

if (import.meta.main) {
  const here = new URL(".", import.meta.url).pathname;
  const root = new URL("../../", import.meta.url).pathname;
  // The model reported is the one asked for: a lock's model pin then names the id the cassettes
  // hold, so a lock run replays them as the .petal does.
  const server = startLlmServer("openai", { reply, reportModel: (m) => m }, { port: PORT });
  try {
    await Deno.remove(`${here}cassettes`, { recursive: true }).catch(() => {});
    const key = Deno.env.get("OPENAI_API_KEY") || `sk-made-up-${crypto.randomUUID()}`;
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        Deno.realPathSync(`${root}mod.ts`), // the real path (see endpoint.ts of examples/release)
        "run",
        `${here}triage.petal`,
        "--profile",
        "openai",
        "--cassettes",
        "all",
      ],
      cwd: root,
      env: { OPENAI_API_KEY: key, CI: "" },
    }).spawn().status;
    console.log(`${server.answered()} answers recorded in ${here}cassettes/`);
    if (code !== 0) Deno.exit(code);
  } finally {
    await server.close();
  }
}
