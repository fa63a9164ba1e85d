/**
 * Helpers the built-in commands share: writing text to a sink, reading an input, reporting an
 * error the way shells do (`name: message` on stderr, status 1).
 * @module
 */
import type { BuiltinContext, Input, Sink } from "../types.ts";

const encoder = new TextEncoder();

/** Writes `text` to `sink` (nothing for an empty string). */
export async function writeText(sink: Sink, text: string): Promise<void> {
  if (text === "" || sink.isNull) return;
  await sink.write(encoder.encode(text));
}

/** The chunks of an input. */
export async function* chunksOf(input: Input): AsyncGenerator<Uint8Array> {
  if (input.kind === "bytes") {
    if (input.data.length) yield input.data;
  } else if (input.kind === "stream") {
    for await (const chunk of input.stream) yield chunk;
  }
}

/** All of an input, decoded as UTF-8. */
export async function readAllText(input: Input): Promise<string> {
  const decoder = new TextDecoder();
  let out = "";
  for await (const chunk of chunksOf(input)) out += decoder.decode(chunk, { stream: true });
  return out + decoder.decode();
}

/** Writes `name: message` to stderr and returns `code`. */
export async function complain(
  ctx: BuiltinContext,
  name: string,
  message: string,
  code = 1,
): Promise<number> {
  await writeText(ctx.stderr, `${name}: ${message}\n`);
  return code;
}

/** Splits leading `-xyz` flags (until `--` or the first operand) from operands. */
export function splitFlags(
  args: string[],
  known: string,
): { flags: Set<string>; operands: string[]; bad?: string } {
  const flags = new Set<string>();
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (const f of arg.slice(1)) {
      if (!known.includes(f)) return { flags, operands: [], bad: `-${f}` };
      flags.add(f);
    }
  }
  return { flags, operands: args.slice(i) };
}

/** A message for a file-system error, without Deno's prefixes. */
export function fsMessage(error: unknown, path: string): string {
  if (error instanceof Deno.errors.NotFound) return `${path}: No such file or directory`;
  if (error instanceof Deno.errors.AlreadyExists) return `${path}: File exists`;
  if (error instanceof Deno.errors.IsADirectory) return `${path}: Is a directory`;
  if (error instanceof Deno.errors.NotADirectory) return `${path}: Not a directory`;
  if (error instanceof Deno.errors.PermissionDenied) return `${path}: Permission denied`;
  return `${path}: ${(error as Error).message}`;
}

/** Whether `name` is a valid variable name (`[A-Za-z_][A-Za-z0-9_]*`). */
export function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}
