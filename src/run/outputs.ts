/**
 * Step outputs: parsing what a step wrote to `$LILY_OUTPUT` (`name=value` lines, `name<<EOF`
 * heredocs, or one JSON object) and checking each declared output against its type.
 * @module
 */
import type { LockIO } from "../schema/lock.ts";

/**
 * Parses an output file.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseOutputFile } from "./outputs.ts";
 * assert(parseOutputFile("a=1\nb<<END\nx\ny\nEND\n").b === "x\ny");
 * ```
 */
export function parseOutputFile(text: string): Record<string, string | unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const value = JSON.parse(trimmed);
      if (value && typeof value === "object" && !Array.isArray(value)) return value;
    } catch {
      // not JSON: read as lines
    }
  }
  // No prototype: a line `__proto__=x` is an output like any other, not a prototype change.
  const out: Record<string, string> = Object.create(null);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    const heredoc = /^([A-Za-z_][A-Za-z0-9_]*)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]);
      out[name] = body.join("\n");
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

/** Converts a raw output to its declared type; returns an error message when it does not fit. */
export function typedOutput(
  name: string,
  io: LockIO,
  raw: unknown,
): { value: unknown } | { error: string } {
  const text = typeof raw === "string" ? raw.trim() : raw;
  switch (io.type) {
    case "int":
      if (typeof text === "number" && Number.isSafeInteger(text)) return { value: text };
      if (
        typeof text === "string" && /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))
      ) {
        return { value: Number(text) };
      }
      return { error: `output \`${name}\` is \`int\`, but the step wrote ${JSON.stringify(raw)}` };
    case "float":
      if (typeof text === "number") return { value: text };
      if (typeof text === "string" && text !== "" && Number.isFinite(Number(text))) {
        return { value: Number(text) };
      }
      return {
        error: `output \`${name}\` is \`float\`, but the step wrote ${JSON.stringify(raw)}`,
      };
    case "bool":
      if (typeof text === "boolean") return { value: text };
      if (text === "true" || text === "false") return { value: text === "true" };
      return {
        error: `output \`${name}\` is \`bool\`, but the step wrote ${
          JSON.stringify(raw)
        } (write true or false)`,
      };
    case "json":
      if (typeof raw !== "string") return { value: raw };
      try {
        return { value: JSON.parse(raw) };
      } catch {
        return {
          error: `output \`${name}\` is \`json\`, but the step wrote text that is not JSON`,
        };
      }
    default:
      return { value: typeof raw === "string" ? raw : JSON.stringify(raw) };
  }
}
