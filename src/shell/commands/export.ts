/**
 * `export NAME[=value]…`: marks variables for the environment of the programs the script
 * starts (setting them first with `=value`). Alone or with `-p`, lists the exported variables.
 * @module
 */
import { complain, isVariableName, writeText } from "./_io.ts";
import type { Builtin } from "../types.ts";

/** The `export` built-in: `export NAME[=value]…`. */
export const exportCommand: Builtin = async (ctx) => {
  let status = 0;
  for (const arg of ctx.args.filter((a) => a !== "-p" && a !== "--")) {
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!isVariableName(name)) {
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
