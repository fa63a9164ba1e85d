/**
 * `uses: shell`: a script in Lily's shell, or with `with.shell` in an allowed shell program
 * (`sh -e -c`, `bash -eo pipefail -c`). Which programs the script starts is checked by plan
 * (plan/build.ts, from the shell's analysis of the script).
 * @module
 */
import { LilyError } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { StepKind } from "./kind.ts";

/** The shell programs `with.shell` may name, and the flags that make them fail fast. */
export const SHELL_FLAGS: Record<string, string[]> = {
  sh: ["-e", "-c"],
  dash: ["-e", "-c"],
  bash: ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"],
  zsh: ["--no-rcs", "-e", "-o", "pipefail", "-c"],
  busybox: ["sh", "-e", "-c"],
};

/** The name of the shell a `shell` step runs in: `lily` (Lily's shell) or a program. */
export function shellOf(step: Pick<LockStep, "with">): string {
  const shell = step.with.shell;
  return typeof shell === "string" && shell !== "" ? shell : "lily";
}

/**
 * The `shell` kind.
 *
 * @example
 * ```ts
 * import { shellKind } from "./shell.ts";
 * const step = { with: { run: "echo hi", shell: "bash" } };
 * // deno-lint-ignore no-explicit-any
 * const spec = shellKind.build(step as any, {} as any);
 * if (spec.argv?.join(" ") !== "bash --noprofile --norc -e -o pipefail -c echo hi") {
 *   throw new Error(String(spec.argv));
 * }
 * ```
 */
export const shellKind: StepKind = {
  kind: "shell",
  withSchema: {
    type: "object",
    required: ["run"],
    properties: { run: { type: "string" }, shell: { type: "string" } },
  },
  check(withBlock, { id, spanOf }) {
    if (typeof withBlock.run === "string" && withBlock.run.trim() !== "") return [];
    return [
      new LilyError("LILY-E0612", `shell step \`${id}\` has no command`, {
        span: spanOf(withBlock.run === undefined ? [] : ["run"]),
        hint: 'give it `with: {run: "echo hello"}`',
      }),
    ];
  },
  build(step, context) {
    const run = String(step.with.run ?? "");
    const shell = shellOf(step);
    if (shell === "lily") return { ...context, script: run };
    const base = shell.split(/[\\/]/).pop()!.replace(/\.exe$/i, "");
    return { ...context, argv: [shell, ...(SHELL_FLAGS[base] ?? ["-c"]), run] };
  },
};
