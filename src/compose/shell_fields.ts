/**
 * Which templated fields of a workflow reach a shell, and which shell: a `shell` step's
 * `with.run` (Lily's shell, or its `with.shell`), and the script after `-c` when a `process`
 * step's `argv` starts a POSIX shell (`[bash, -c, "…"]`). Their values are escaped for the
 * shell at render time. Reads the workflow only.
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
        if (script !== undefined) out.set(`${at}.argv.${script}`, programBase(w.argv, script));
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

/** The shell of an argv: `bash …`, or `busybox sh …`. */
function programBase(argv: unknown[], _script: number): string {
  return base(argv[0]) === "busybox" ? "busybox" : base(argv[0]);
}

/** Index of the script in `[shell, …options, -c, SCRIPT, …]`, if argv starts a shell. */
function scriptIndex(argv: unknown[]): number | undefined {
  let first = 1;
  if (base(argv[0]) === "busybox" && base(argv[1]) === "sh") first = 2;
  else if (!SHELL_PROGRAMS.test(base(argv[0]))) return undefined;
  for (let i = first; i < argv.length - 1; i++) {
    const arg = argv[i];
    if (typeof arg !== "string" || !arg.startsWith("-") && !arg.startsWith("+")) return undefined;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(arg)) return i + 1;
    if (arg === "-o" || arg === "+o") i++;
  }
  return undefined;
}
