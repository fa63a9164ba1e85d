/**
 * The built-ins that change the shell's variables and options: `export`, `unset`, `set`,
 * `read`, and `printenv`, which prints exported variables.
 * @module
 */
import { chunksOf, complain, writeText } from "./_io.ts";
import type { Builtin, ShellOption } from "../types.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The `export` built-in: `export NAME[=value]…`. */
export const exportCommand: Builtin = async (ctx) => {
  let status = 0;
  for (const arg of ctx.args.filter((a) => a !== "-p" && a !== "--")) {
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!NAME.test(name)) {
      status = await complain(ctx, "export", `\`${arg}': not a valid identifier`);
      continue;
    }
    if (eq >= 0) ctx.shell.setVar(name, arg.slice(eq + 1));
    ctx.shell.exportVar(name);
  }
  if (ctx.args.length === 0 || ctx.args[0] === "-p") {
    const env = ctx.shell.environment();
    await writeText(
      ctx.stdout,
      Object.keys(env).sort().map((k) => `export ${k}=${JSON.stringify(env[k])}\n`).join(""),
    );
  }
  return status;
};

/** The `readonly NAME[=value]…` built-in (`readonly -p` lists them). */
export const readonlyCommand: Builtin = async (ctx) => {
  let status = 0;
  const args = ctx.args.filter((a) => a !== "--");
  if (args.length === 0 || args[0] === "-p") {
    const names = [...ctx.shell.readonlyVars].sort();
    await writeText(
      ctx.stdout,
      names.map((k) => {
        const v = ctx.shell.getVar(k);
        return v === undefined ? `readonly ${k}\n` : `readonly ${k}=${quote(v)}\n`;
      }).join(""),
    );
    return 0;
  }
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!NAME.test(name)) {
      status = await complain(ctx, "readonly", `\`${arg}': not a valid identifier`);
      continue;
    }
    if (eq >= 0) ctx.shell.setVar(name, arg.slice(eq + 1));
    ctx.shell.setReadonly(name);
  }
  return status;
};

function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** The `unset` built-in. */
export const unsetCommand: Builtin = (ctx) => {
  for (const name of ctx.args) if (name !== "-v") ctx.shell.unsetVar(name);
  return Promise.resolve(0);
};

/** The `printenv [NAME…]` built-in. */
export const printenvCommand: Builtin = async (ctx) => {
  const env = ctx.shell.environment();
  if (ctx.args.length === 0) {
    await writeText(
      ctx.stdout,
      Object.keys(env).sort().map((k) => `${k}=${env[k]}\n`).join(""),
    );
    return 0;
  }
  let status = 0;
  for (const name of ctx.args) {
    if (name in env) await writeText(ctx.stdout, env[name] + "\n");
    else status = 1;
  }
  return status;
};

const LONG: Record<string, ShellOption> = {
  errexit: "errexit",
  pipefail: "pipefail",
  xtrace: "xtrace",
  nounset: "nounset",
  noclobber: "noclobber",
  noglob: "noglob",
};
const SHORT: Record<string, ShellOption> = {
  e: "errexit",
  x: "xtrace",
  u: "nounset",
  C: "noclobber",
  f: "noglob",
};

/**
 * The `set` built-in: `-e`/`+e`, `-u`, `-x`, `-o pipefail` and their `+` forms; `set -- a b`
 * (or `set a b`) sets the positional parameters.
 */
export const setCommand: Builtin = async (ctx) => {
  const args = ctx.args;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const on = arg[0] === "-";
    if (arg === "--" || !/^[-+]/.test(arg)) {
      // `set -- a b`, `set a b`: the positional parameters.
      ctx.shell.positional = args.slice(arg === "--" ? i + 1 : i);
      return 0;
    }
    if (arg.length < 2) continue;
    for (const f of arg.slice(1)) {
      if (f === "o") {
        const name = LONG[args[++i] ?? ""];
        if (!name) return await complain(ctx, "set", `${args[i] ?? ""}: invalid option name`, 2);
        ctx.shell.setOption(name, on);
      } else if (SHORT[f]) ctx.shell.setOption(SHORT[f], on);
      else return await complain(ctx, "set", `${arg[0]}${f}: invalid option`, 2);
    }
  }
  return 0;
};

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
    if (!NAME.test(name)) return complain(ctx, "read", `\`${name}': not a valid identifier`, 2);
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
