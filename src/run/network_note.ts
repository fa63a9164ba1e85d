/**
 * The note a failed step without network gets ("it ran without network…"): only when the
 * failure could be the network. A program the step started exited non-zero (a client that
 * could not connect), or the sandbox refused a host (LILY-E0824). Not for other denials,
 * Lily's own errors (a shell error, an output of the wrong type, a missing input), a timeout
 * or a signal, nor a script in Lily's shell that starts no program (the shell itself has no
 * network), nor a kind Lily runs itself (llm, human, foreach: `resources.network` is not theirs;
 * an llm step reaches its provider's host, and its denial says so). A python step's sockets are refused by its audit hook, whose message already
 * names `resources.network`: its failure can be the network only through a program it starts
 * (status 125 is package drift, 126 an audit-hook refusal).
 * @module
 */
import { KIND_RUNNERS } from "../../adapters/mod.ts";
import type { LockStep } from "../schema/lock.ts";
import { commandsOf, parseScript } from "../shell/mod.ts";
import { shellOf } from "../steps/mod.ts";
import { PYTHON_DENIED_STATUS, PYTHON_DRIFT_STATUS } from "../steps/python_runner.ts";

/** How an attempt failed, as far as the note needs to know. */
export interface FailureCause {
  /** The kind of a sandbox denial (`net`, `run`, `read`…), if the step was denied. */
  denied?: string;
  /** The program's exit status, when the program ended by itself with one. */
  exitCode?: number | null;
}

/** The note for a failed step, or undefined when the network cannot be the cause. */
export function networkNote(step: LockStep, cause: FailureCause): string | undefined {
  const network = step.resources.network;
  if (network === true) return undefined;
  // A kind Lily runs itself (llm, human, foreach): `resources.network` does not apply to it.
  if (Object.hasOwn(KIND_RUNNERS, step.uses)) return undefined;
  if (!couldBeNetwork(step, cause)) return undefined;
  if (Array.isArray(network) && network.length) {
    return `it ran with network access to ${
      network.join(", ")
    } only; if it needs more, add the hosts to \`resources: {network: [...]}\``;
  }
  return "it ran without network (`resources.network` is off by default); if it needs the network, grant it: `resources: {network: true}` or a list of hosts";
}

function couldBeNetwork(step: LockStep, cause: FailureCause): boolean {
  if (cause.denied !== undefined) return cause.denied === "net";
  const status = cause.exitCode;
  if (typeof status !== "number" || status === 0) return false;
  // Lily's shell has no network of its own: only the programs a script starts can fail so.
  if (step.uses === "shell" && shellOf(step) === "lily") return startsProgram(step);
  if (step.uses !== "python") return true;
  if (status === PYTHON_DENIED_STATUS || status === PYTHON_DRIFT_STATUS) return false;
  const interpreter = (step.with as Record<string, unknown> | undefined)?.python;
  return step.resources.binaries.some((b) => b !== interpreter);
}

/**
 * Whether a script in Lily's shell may start a program (a name that is not a builtin, or one
 * known only at run time): a script of builtins only (`exit 3`) cannot fail for the network,
 * whatever the step may start.
 */
function startsProgram(step: LockStep): boolean {
  if (step.resources.binaries.length === 0) return false;
  const script = (step.with as Record<string, unknown> | undefined)?.run;
  if (typeof script !== "string") return true;
  try {
    return commandsOf(parseScript(script)).some((use) => !use.builtin);
  } catch {
    return true;
  }
}
