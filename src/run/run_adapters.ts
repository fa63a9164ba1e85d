/**
 * The adapters of one run, by name (adapters/mod.ts): each created on the first step that
 * uses it — a fully cached run loads none — and closed at the end.
 * @module
 */
import { ADAPTER_FACTORIES, KIND_RUNNERS } from "../../adapters/mod.ts";
import type { AdapterContext } from "../../adapters/mod.ts";
import type { Adapter } from "../../adapters/types.ts";
import { LilyError } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";

/** The adapters a run has created. */
export class RunAdapters {
  #byName = new Map<string, Promise<Adapter>>();
  #context: AdapterContext;
  #override?: (step: LockStep) => Adapter;

  /** `override` replaces the registry for every step (a test seam). */
  constructor(context: AdapterContext, override?: (step: LockStep) => Adapter) {
    this.#context = context;
    this.#override = override;
  }

  /** The adapter of `step`: its kind's runner when the kind has one, else its lock `adapter:`. */
  async for(step: LockStep): Promise<Adapter> {
    if (this.#override) return this.#override(step);
    if (Object.hasOwn(KIND_RUNNERS, step.uses)) {
      const name = `kind:${step.uses}`;
      let runner = this.#byName.get(name);
      if (!runner) {
        runner = KIND_RUNNERS[step.uses](this.#context);
        this.#byName.set(name, runner);
      }
      return await runner;
    }
    let adapter = this.#byName.get(step.adapter);
    if (!adapter) {
      const factory = ADAPTER_FACTORIES[step.adapter];
      if (!factory) {
        // Compose and the lock reader refuse these first (steps/support.ts); this is the last guard.
        throw new LilyError(
          "LILY-E0211",
          `step \`${step.id}\`: \`adapter: ${step.adapter}\` is not implemented in this version of Lily`,
        );
      }
      adapter = factory(this.#context);
      this.#byName.set(step.adapter, adapter);
    }
    return await adapter;
  }

  /** Closes every adapter created. */
  async close(): Promise<void> {
    for (const adapter of this.#byName.values()) await (await adapter).close?.();
  }
}
