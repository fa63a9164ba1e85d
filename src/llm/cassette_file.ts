/**
 * The cassette file: canonical YAML (sorted keys, one list entry per interaction, bodies as
 * text), read with positioned errors and written atomically (a temp file renamed over the
 * old one: a killed run leaves the previous cassette or none, never half of one).
 * Knows nothing of fetch or record modes (cassette.ts).
 * @module
 */
import { LilyError, type Span } from "../errors.ts";
import { toCanonicalYaml } from "../lock/canonical.ts";
import type { Masker } from "../sandbox/mask.ts";
import type { Interaction, RecordedRequest, RecordedResponse } from "./cassette_http.ts";

/** The format version written in every cassette (`lily_cassette: 1`). */
export const CASSETTE_VERSION = 1;

/** The top-level key that names the format and its version. */
const VERSION_KEY = "lily_cassette";

/**
 * The interactions of the cassette at `path`, or undefined when there is no file (an empty
 * file counts as none, as in vcr). A file that is not a cassette is a positioned error.
 */
export async function readCassette(path: string): Promise<Interaction[] | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if (text.trim() === "") return undefined;
  return await parseCassette(path, text);
}

/** Parses the text of a cassette (see {@linkcode readCassette}). */
export async function parseCassette(path: string, text: string): Promise<Interaction[]> {
  const { parseDocument, LineCounter, isMap, isSeq } = await import("yaml");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Span => {
    const pos = lines.linePos(offset ?? 0);
    return { file: path, line: pos.line, col: pos.col };
  };
  if (doc.errors.length) {
    const first = doc.errors[0];
    throw broken(at(first.pos[0]), first.message.split("\n")[0]);
  }
  const root = doc.contents;
  if (!isMap(root)) throw broken(at(root?.range?.[0]), "a cassette is a map with `interactions:`");
  const version = root.get(VERSION_KEY, true);
  if (version === undefined) {
    throw broken(at(root.range?.[0]), `no \`${VERSION_KEY}:\` (the format version)`);
  }
  if (version.toJSON() !== CASSETTE_VERSION) {
    throw new LilyError(
      "LILY-E0743",
      `cassette format version \`${String(version.toJSON())}\` is not supported`,
      {
        span: at(version.range?.[0]),
        hint: `this Lily reads \`${VERSION_KEY}: ${CASSETTE_VERSION}\`; re-record the step ` +
          "(`lily run --cassettes all --only STEP`)",
      },
    );
  }
  for (const pair of root.items) {
    const key = (pair.key as { toJSON?: () => unknown })?.toJSON?.();
    if (key !== VERSION_KEY && key !== "interactions") {
      const node = pair.key as { range?: [number, number, number] };
      throw broken(at(node?.range?.[0]), `unknown key \`${String(key)}\` in a cassette`);
    }
  }
  const list = root.get("interactions", true);
  if (list === undefined) return [];
  if (!isSeq(list)) throw broken(at(list.range?.[0]), "`interactions:` is not a list");
  const out: Interaction[] = [];
  list.items.forEach((item, index) => {
    const node = item as { range?: [number, number, number]; toJSON(): unknown };
    const problem = interactionProblem(node.toJSON());
    if (problem) {
      const inner = isMap(item) ? problemNode(item, problem) : undefined;
      throw broken(
        at((inner ?? node).range?.[0]),
        `interaction ${index + 1}: ${problem.message}`,
      );
    }
    out.push(node.toJSON() as Interaction);
  });
  return out;
}

function broken(span: Span, message: string): LilyError {
  return new LilyError("LILY-E0742", `not a valid cassette: ${message}`, {
    span,
    hint: "fix the file, or delete it and record again (`lily run --cassettes once`)",
  });
}

/**
 * The node a problem is about inside an interaction's map node (the key itself for an
 * unknown key), or the deepest one on its path that exists.
 */
function problemNode(
  map: { getIn(path: unknown[], keepScalar: true): unknown },
  problem: Problem,
): { range?: [number, number, number] } | undefined {
  const path = problem.path;
  if (problem.atKey && path.length > 0) {
    const parent = path.length === 1 ? map : map.getIn(path.slice(0, -1), true);
    const items = (parent as { items?: { key?: unknown }[] })?.items ?? [];
    for (const pair of items) {
      const key = pair.key as { range?: [number, number, number]; toJSON?: () => unknown };
      if (key?.toJSON?.() === path.at(-1) && key.range) return key;
    }
  }
  for (let n = path.length; n > 0; n--) {
    const node = map.getIn(path.slice(0, n), true) as { range?: [number, number, number] };
    if (node && typeof node === "object" && node.range) return node;
  }
  return undefined;
}

type Problem = { path: string[]; message: string; atKey?: boolean };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every((v) => typeof v === "string");
}

function onlyKeys(value: Record<string, unknown>, keys: string[], where: string[]) {
  const extra = Object.keys(value).find((k) => !keys.includes(k));
  return extra === undefined
    ? undefined
    : { path: [...where, extra], message: `unknown key \`${extra}\``, atKey: true };
}

/** What is wrong with one interaction entry, with the path to the culprit. */
function interactionProblem(value: unknown): Problem | undefined {
  if (!isRecord(value)) return { path: [], message: "not a map of `request` and `response`" };
  const extra = onlyKeys(value, ["request", "response"], []);
  if (extra) return extra;
  const request = value.request;
  if (!isRecord(request)) return { path: ["request"], message: "`request` is not a map" };
  const requestExtra = onlyKeys(
    request,
    ["method", "url", "headers", "json", "body", "body_base64"],
    ["request"],
  );
  if (requestExtra) return requestExtra;
  if (typeof request.method !== "string" || !/^[A-Z]+$/.test(request.method)) {
    return { path: ["request", "method"], message: "`request.method` is not an HTTP method" };
  }
  if (typeof request.url !== "string" || !URL.canParse(request.url)) {
    return { path: ["request", "url"], message: "`request.url` is not a URL" };
  }
  if (request.headers !== undefined && !stringMap(request.headers)) {
    return { path: ["request", "headers"], message: "`request.headers` is not a map of text" };
  }
  const bodies = ["json", "body", "body_base64"].filter((k) => request[k] !== undefined);
  if (bodies.length > 1) {
    return { path: ["request", bodies[1]], message: "a request has one body, not several" };
  }
  for (const k of ["body", "body_base64"]) {
    if (request[k] !== undefined && typeof request[k] !== "string") {
      return { path: ["request", k], message: `\`request.${k}\` is not text` };
    }
  }
  const response = value.response;
  if (!isRecord(response)) return { path: ["response"], message: "`response` is not a map" };
  const responseExtra = onlyKeys(
    response,
    ["status", "headers", "body", "body_base64", "events", "tail"],
    ["response"],
  );
  if (responseExtra) return responseExtra;
  const status = response.status;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 200 || status > 599) {
    return { path: ["response", "status"], message: "`response.status` is not 200–599" };
  }
  if (response.headers !== undefined && !stringMap(response.headers)) {
    return { path: ["response", "headers"], message: "`response.headers` is not a map of text" };
  }
  const kinds = ["body", "body_base64", "events"].filter((k) => response[k] !== undefined);
  if (kinds.length > 1) {
    return { path: ["response", kinds[1]], message: "a response has one body, not several" };
  }
  for (const k of ["body", "body_base64", "tail"]) {
    if (response[k] !== undefined && typeof response[k] !== "string") {
      return { path: ["response", k], message: `\`response.${k}\` is not text` };
    }
  }
  if (response.tail !== undefined && response.events === undefined) {
    return { path: ["response", "tail"], message: "`response.tail` without `events`" };
  }
  const events = response.events;
  if (
    events !== undefined &&
    (!Array.isArray(events) || events.some((e) => typeof e !== "string"))
  ) {
    return { path: ["response", "events"], message: "`response.events` is not a list of text" };
  }
  return undefined;
}

/**
 * The text of a cassette: canonical YAML, so the same interactions give the same bytes.
 * The masker runs over the whole text last, a second net after each field was masked.
 */
export function cassetteText(interactions: readonly Interaction[], masker: Masker): string {
  const entries = interactions.map((i) => ({
    request: i.request as RecordedRequest,
    response: i.response as RecordedResponse,
  }));
  const text = toCanonicalYaml(
    { [VERSION_KEY]: CASSETTE_VERSION, interactions: entries },
    { topOrder: [VERSION_KEY, "interactions"] },
  );
  return masker.mask(text);
}

/**
 * Writes `text` to `path` atomically: a new temp file beside it (never through a link),
 * flushed to disk, then renamed over the target. The folder is created when missing.
 */
export async function writeCassetteFile(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/.${path.slice(slash + 1)}.${Deno.pid}.${
    crypto.randomUUID().slice(0, 8)
  }.tmp`;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o644 });
    try {
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  await removeStaleTemps(dir, path.slice(slash + 1));
}

/**
 * Removes the temp files a killed writer of this cassette left (`.NAME.PID.XXXXXXXX.tmp`
 * whose process is gone), so none is committed by accident. Where processes cannot be
 * looked up (no `/proc`), they stay.
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  if (!(await Deno.stat("/proc/self").then(() => true, () => false))) return;
  const prefix = `.${name}.`;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
      const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(entry.name.slice(prefix.length));
      if (!match || Number(match[1]) === Deno.pid) continue;
      const alive = await Deno.stat(`/proc/${match[1]}`).then(() => true, () => false);
      if (!alive) await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  } catch {
    // a folder that cannot be listed keeps its temp files
  }
}
