/**
 * The built-in commands of Lily's shell, by name. They run inside the step's sandbox: their
 * file access is checked against the step's read and write roots (and by Deno's permissions).
 * @module
 */
import type { Builtin } from "../types.ts";
import { catCommand } from "./cat.ts";
import { cdCommand, pwdCommand } from "./cd.ts";
import { cpCommand, mvCommand } from "./cp_mv.ts";
import { echoCommand } from "./echo.ts";
import { exitCommand, sleepCommand } from "./exit.ts";
import { breakCommand, continueCommand } from "./loop.ts";
import { mkdirCommand } from "./mkdir.ts";
import { printfCommand } from "./printf.ts";
import { rmCommand } from "./rm.ts";
import { testCommand } from "./test.ts";
import { touchCommand } from "./touch.ts";
import { falseCommand, trueCommand } from "./true.ts";
import { localCommand, returnCommand, shiftCommand } from "./function.ts";
import {
  exportCommand,
  printenvCommand,
  readCommand,
  readonlyCommand,
  setCommand,
  unsetCommand,
} from "./vars.ts";

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
