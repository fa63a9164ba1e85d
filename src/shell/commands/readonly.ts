/**
 * `readonly NAME[=value]…`: marks variables read-only (a later assignment or `unset` ends the
 * shell with status 2). Alone or with `-p`, lists them, quoted for re-use.
 * @module
 */
import { complain, isVariableName, writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

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
    if (!isVariableName(name)) {
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
