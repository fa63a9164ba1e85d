/**
 * The built-in commands of Lily's shell, by name. They run inside the step's sandbox: their
 * file access is checked against the step's read and write roots (and by Deno's permissions).
 * Each lives in the file named after it (`cd` in cd.ts; `test` and `[` in test.ts, `true` and
 * `:` in true.ts); what several share is in `_`-prefixed files.
 * @module
 */
import type { Builtin } from "../types.ts";
import { breakCommand } from "./break.ts";
import { catCommand } from "./cat.ts";
import { cdCommand } from "./cd.ts";
import { continueCommand } from "./continue.ts";
import { cpCommand } from "./cp.ts";
import { echoCommand } from "./echo.ts";
import { exitCommand } from "./exit.ts";
import { exportCommand } from "./export.ts";
import { falseCommand } from "./false.ts";
import { localCommand } from "./local.ts";
import { mkdirCommand } from "./mkdir.ts";
import { mvCommand } from "./mv.ts";
import { printenvCommand } from "./printenv.ts";
import { printfCommand } from "./printf.ts";
import { pwdCommand } from "./pwd.ts";
import { readCommand } from "./read.ts";
import { readonlyCommand } from "./readonly.ts";
import { returnCommand } from "./return.ts";
import { rmCommand } from "./rm.ts";
import { setCommand } from "./set.ts";
import { shiftCommand } from "./shift.ts";
import { sleepCommand } from "./sleep.ts";
import { testCommand } from "./test.ts";
import { touchCommand } from "./touch.ts";
import { trueCommand } from "./true.ts";
import { unsetCommand } from "./unset.ts";

/** Every built-in, by the name a script uses. */
export const BUILTINS: Readonly<Record<string, Builtin>> = {
  ":": trueCommand,
  true: trueCommand,
  false: falseCommand,
  echo: echoCommand,
  printf: printfCommand,
  cat: catCommand,
  cd: cdCommand,
  pwd: pwdCommand,
  export: exportCommand,
  readonly: readonlyCommand,
  break: breakCommand,
  continue: continueCommand,
  unset: unsetCommand,
  set: setCommand,
  read: readCommand,
  printenv: printenvCommand,
  exit: exitCommand,
  sleep: sleepCommand,
  test: testCommand(false),
  "[": testCommand(true),
  mkdir: mkdirCommand,
  rm: rmCommand,
  cp: cpCommand,
  mv: mvCommand,
  touch: touchCommand,
  return: returnCommand,
  shift: shiftCommand,
  local: localCommand,
};

/** Whether `name` is a built-in (a name with a `/` never is). */
export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}
