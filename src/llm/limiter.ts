/**
 * A concurrency limit per provider: at most `limit` calls in flight to one provider endpoint
 * (provider and base URL) at once, whatever `-j` lets the scheduler start; the others wait in
 * arrival order.
 * @module
 */

/** Calls in flight per key, each key limited to the same number. */
export class ProviderLimiter {
  #limit: number;
  #active = new Map<string, number>();
  #waiting = new Map<string, (() => void)[]>();

  /** `limit`: calls at once per key (at least 1). */
  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /**
   * Runs `fn` when a slot of `key` is free; the slot is released when it settles.
   *
   * @example
   * ```ts
   * import { ProviderLimiter } from "./limiter.ts";
   * const limiter = new ProviderLimiter(1);
   * let inFlight = 0, most = 0;
   * const job = () => limiter.run("p", async () => {
   *   most = Math.max(most, ++inFlight);
   *   await Promise.resolve();
   *   inFlight--;
   * });
   * await Promise.all([job(), job(), job()]);
   * if (most !== 1) throw new Error(`most ${most}`);
   * ```
   */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    if ((this.#active.get(key) ?? 0) >= this.#limit) {
      await new Promise<void>((resolve) => {
        const list = this.#waiting.get(key) ?? [];
        list.push(resolve);
        this.#waiting.set(key, list);
      });
    } else this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const next = this.#waiting.get(key)?.shift();
      // The slot passes to the next waiter as it is; else it is freed.
      if (next) next();
      else this.#active.set(key, (this.#active.get(key) ?? 1) - 1);
    }
  }
}
