/**
 * The sandbox adapter (the default for `adapter: process`): each attempt runs in a pooled
 * host process with exactly its step's Deno permissions and OS isolation
 * (src/sandbox/pool.ts). This file is the seam only: it turns a `StepRequest` into a host
 * request. A host that held a secret runs nothing after it.
 * @module
 */
import { type SandboxOptions, sandboxPool } from "../src/sandbox/pool.ts";
import type { Adapter, StepRequest, StepResult } from "./types.ts";

export type { SandboxOptions };

/** Creates the sandbox adapter; `close()` ends its hosts. */
export function sandboxAdapter(options: SandboxOptions): Adapter {
  const pool = sandboxPool(options);
  return {
    name: "sandbox",
    run(request: StepRequest): Promise<StepResult> {
      return pool.run({
        spec: request.spec,
        permissions: request.permissions,
        os: request.os,
        write: request.write,
        signal: request.signal,
        graceMs: request.graceMs,
        retireHost: Object.values(request.step.inputs).some((i) => i.type === "secret"),
      });
    },
    close: () => pool.close(),
  };
}
