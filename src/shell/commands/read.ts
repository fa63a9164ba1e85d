/**
 * `read [-r] [NAME…]`: one line of stdin into variables, split on `IFS`.
 * @module
 */
import { chunksOf, complain, isVariableName } from "./_io.ts";
import type { Builtin } from "../types.ts";

/**
 * The `read [-r] NAME…` built-in: one line of stdin, split on blanks (the last name takes the
 * rest). Status 1 at end of input. It reads the whole input the first time (Lily's inputs are
 * streams that cannot be shared byte by byte), and keeps the rest for the next `read` of the
 * same input.
 */
export const readCommand: Builtin = async (ctx) => {
  const raw = ctx.args.includes("-r");
  const names = ctx.args.filter((a) => a !== "-r");
  if (names.length === 0) names.push("REPLY");
  for (const name of names) {
    if (!isVariableName(name)) {
      return complain(ctx, "read", `\`${name}': not a valid identifier`, 2);
    }
  }
  const line = await nextLine(ctx.stdin);
  if (line === null) {
    for (const name of names) ctx.shell.setVar(name, "");
    return 1;
  }
  let text = raw ? line.text : line.text.replace(/\\(.)/g, "$1");
  // `IFS= read` keeps the line as it is; otherwise IFS's blanks are trimmed and its characters
  // separate the fields (the last name takes the rest).
  const ifs = ctx.shell.getVar("IFS") ?? " \t\n";
  const blanks = [...ifs].filter((c) => c === " " || c === "\t" || c === "\n").join("");
  const others = [...ifs].filter((c) => !blanks.includes(c)).join("");
  const esc = (chars: string) => chars.replace(/[\\\]^-]/g, "\\$&");
  if (blanks) text = text.replace(new RegExp(`^[${esc(blanks)}]+|[${esc(blanks)}]+$`, "g"), "");
  const blank = blanks ? `[${esc(blanks)}]` : "";
  const other = others ? `[${esc(others)}]` : "";
  const seps = [
    ...(other ? [`${blank && blank + "*"}${other}${blank && blank + "*"}`] : []),
    ...(blank ? [`${blank}+`] : []),
  ];
  const separator = ifs === ""
    ? undefined
    : new RegExp(`^([^${esc(ifs)}]*)(?:${seps.join("|")})(.*)$`, "s");
  for (let i = 0; i < names.length; i++) {
    const m = i === names.length - 1 || separator === undefined ? null : separator.exec(text);
    if (!m) {
      ctx.shell.setVar(names[i], text);
      for (const rest of names.slice(i + 1)) ctx.shell.setVar(rest, "");
      break;
    }
    ctx.shell.setVar(names[i], m[1]);
    text = m[2];
  }
  return line.complete ? 0 : 1;
};

/** Per input, what a previous `read` consumed beyond its line. */
const pending = new WeakMap<object, { buffer: string; iterator: AsyncIterator<Uint8Array> }>();

async function nextLine(
  input: Parameters<Builtin>[0]["stdin"],
): Promise<{ text: string; complete: boolean } | null> {
  if (input.kind === "null") return null;
  let state = pending.get(input);
  if (!state) {
    state = { buffer: "", iterator: chunksOf(input)[Symbol.asyncIterator]() };
    pending.set(input, state);
  }
  const decoder = new TextDecoder();
  for (;;) {
    const nl = state.buffer.indexOf("\n");
    if (nl >= 0) {
      const text = state.buffer.slice(0, nl);
      state.buffer = state.buffer.slice(nl + 1);
      return { text, complete: true };
    }
    const next = await state.iterator.next();
    if (next.done) {
      if (state.buffer === "") return null;
      const text = state.buffer;
      state.buffer = "";
      return { text, complete: false };
    }
    state.buffer += decoder.decode(next.value, { stream: true });
  }
}
