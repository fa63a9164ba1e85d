/**
 * Which templated fields of a workflow reach a shell, and which shell: a `shell` step's
 * `with.run` (Lily's shell, or its `with.shell`), and the script after `-c` when a `process`
 * step's `argv` starts a POSIX shell (`[bash, -c, "…"]`, also after `env`). Their values are
 * escaped for the shell at render time. Reads the workflow only.
 * @module
 */
import type { Petal, Step } from "../schema/petal.ts";

const SHELL_PROGRAMS = /^(sh|dash|bash|zsh|ash|ksh|mksh|yash|posh)$/;
const TEMPLATE = /\{[{%#]/;

/**
 * Paths (`steps.0.with.run`, `on_error.1.with.argv.2`) of fields that reach a shell, each with
 * the shell that reads it (`lily`, or a program; `?` when the shell itself is templated).
 *
 * @example
 * ```ts
 * import { shellFields } from "./shell_fields.ts";
 * const fields = shellFields({
 *   petal: "1", name: "x",
 *   steps: [{ id: "a", uses: "process", with: { argv: ["bash", "-c", "echo hi"] } }],
 * } as never);
 * if (fields.get("steps.0.with.argv.2") !== "bash") throw new Error("not found");
 * const viaEnv = shellFields({
 *   petal: "1", name: "x",
 *   steps: [{ id: "a", uses: "process", with: { argv: ["env", "-i", "A=1", "sh", "-ec", "x"] } }],
 * } as never);
 * if (viaEnv.get("steps.0.with.argv.5") !== "sh") throw new Error("not found after env");
 * ```
 */
export function shellFields(petal: Petal): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (list: "steps" | "on_error", steps: readonly Step[] | undefined) => {
    steps?.forEach((step, index) => {
      const at = `${list}.${index}.with`;
      const w = (step.with ?? {}) as Record<string, unknown>;
      if (step.uses === "shell") {
        const shell = w.shell;
        const name = typeof shell !== "string" || shell === "" || shell === "lily"
          ? "lily"
          : TEMPLATE.test(shell)
          ? "?"
          : shell;
        out.set(`${at}.run`, name);
      } else if (step.uses === "process" && Array.isArray(w.argv)) {
        const script = scriptIndex(w.argv);
        if (script !== undefined) out.set(`${at}.argv.${script}`, programBase(w.argv));
      }
    });
  };
  visit("steps", petal.steps);
  visit("on_error", petal.on_error);
  return out;
}

function base(value: unknown): string {
  return typeof value === "string" ? value.split(/[\\/]/).pop()!.replace(/\.exe$/i, "") : "";
}

/** Where the shell's name is in an argv: after `env [-i] [-u NAME] [NAME=value]…`. */
function shellAt(argv: unknown[]): number {
  if (base(argv[0]) !== "env") return 0;
  let i = 1;
  while (typeof argv[i] === "string") {
    const arg = argv[i] as string;
    if (arg === "-u" || arg === "--unset") i += 2;
    else if (arg.startsWith("-") || arg.includes("=")) i++;
    else break;
  }
  return i;
}

/** The shell of an argv: `bash …`, `busybox sh …`, `env X=1 sh …`. */
function programBase(argv: unknown[]): string {
  return base(argv[shellAt(argv)]);
}

/** Index of the script in `[shell, …options, -c, SCRIPT, …]`, if argv starts a shell. */
function scriptIndex(argv: unknown[]): number | undefined {
  const at = shellAt(argv);
  let first = at + 1;
  if (base(argv[at]) === "busybox" && base(argv[at + 1]) === "sh") first = at + 2;
  else if (!SHELL_PROGRAMS.test(base(argv[at]))) return undefined;
  for (let i = first; i < argv.length - 1; i++) {
    const arg = argv[i];
    if (typeof arg !== "string" || !arg.startsWith("-") && !arg.startsWith("+")) return undefined;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(arg)) return i + 1;
    if (arg === "-o" || arg === "+o") i++;
  }
  return undefined;
}
