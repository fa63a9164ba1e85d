/**
 * Secrets split across the events of a stream: a streamed answer sends its text in pieces
 * (`delta.content`, `delta.text`, `message.content`), so a secret the model repeats can reach
 * a cassette cut in two events, each piece harmless alone and the answer a reader reassembles
 * holding it whole. This joins the JSON string values of each path across events, finds the
 * secrets in the joined text, and masks the pieces that hold them. Text masking (mask.ts) has
 * already run; this is the second net, for what no single event shows.
 * @module
 */
import { MASK, secretForms } from "../sandbox/mask.ts";

/** A string value of one event's JSON, at a path (array indices included). */
interface Piece {
  event: number;
  path: string;
  value: string;
  /** Where the value lives, to write it back. */
  holder: Record<string, unknown> | unknown[];
  key: string | number;
}

/** The forms of every secret as one pattern (longest first), or undefined when none. */
export function secretPattern(secrets: Iterable<string>): RegExp | undefined {
  const forms = [...new Set([...secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return undefined;
  return new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
}

/** The JSON of an event: a server-sent event's `data:` lines, or a JSON line itself. */
function payloadOf(event: string, sse: boolean): string | undefined {
  if (!sse) return event;
  const data = event.split("\n").filter((l) => l.startsWith("data:"));
  if (data.length === 0) return undefined;
  return data.map((l) => l.slice(l.startsWith("data: ") ? 6 : 5)).join("\n");
}

function collect(value: unknown, path: string, event: number, out: Piece[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === "string") {
        out.push({ event, path: `${path}[${i}]`, value: v, holder: value, key: i });
      } else collect(v, `${path}[${i}]`, event, out);
    });
  } else if (value !== null && typeof value === "object") {
    const map = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(map)) {
      const at = `${path}.${JSON.stringify(k)}`;
      if (typeof v === "string") out.push({ event, path: at, value: v, holder: map, key: k });
      else collect(v, at, event, out);
    }
  }
}

/**
 * The events with every secret that the string values of one JSON path spell across events
 * (or inside one value, once decoded) masked: the first piece a secret touches shows `***`
 * where its part was, the others lose theirs. An event that is not JSON is left as it is.
 */
export function scrubEvents(
  events: readonly string[],
  sse: boolean,
  pattern: RegExp | undefined,
): string[] {
  if (!pattern) return [...events];
  const parsed: (unknown | undefined)[] = [];
  const pieces: Piece[] = [];
  events.forEach((event, i) => {
    const payload = payloadOf(event, sse);
    let value: unknown;
    try {
      value = payload === undefined ? undefined : JSON.parse(payload);
    } catch {
      value = undefined;
    }
    parsed.push(value);
    if (value !== undefined) collect(value, "$", i, pieces);
  });
  const byPath = new Map<string, Piece[]>();
  for (const piece of pieces) byPath.set(piece.path, [...(byPath.get(piece.path) ?? []), piece]);
  const changed = new Set<number>();
  for (const group of byPath.values()) {
    const joined = group.map((p) => p.value).join("");
    const spans: [number, number][] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(joined); m; m = pattern.exec(joined)) {
      spans.push([m.index, m.index + m[0].length]);
      if (m[0].length === 0) pattern.lastIndex++;
    }
    if (spans.length === 0) continue;
    // Rewrites each piece: characters inside a span go; the span's first piece gets the mask.
    let offset = 0;
    for (const piece of group) {
      const start = offset;
      offset += piece.value.length;
      let out = "";
      for (let i = 0; i < piece.value.length; i++) {
        const at = start + i;
        const span = spans.find(([a, b]) => at >= a && at < b);
        if (!span) out += piece.value[i];
        else if (at === span[0]) out += MASK;
      }
      if (out !== piece.value) {
        (piece.holder as Record<string | number, unknown>)[piece.key] = out;
        changed.add(piece.event);
      }
    }
  }
  return events.map((event, i) => {
    if (!changed.has(i)) return event;
    const json = JSON.stringify(parsed[i]);
    if (!sse) return json;
    const lines = event.split("\n");
    const first = lines.findIndex((l) => l.startsWith("data:"));
    return [
      ...lines.slice(0, first).filter((l) => !l.startsWith("data:")),
      `data: ${json}`,
      ...lines.slice(first + 1).filter((l) => !l.startsWith("data:")),
    ].join("\n");
  });
}
