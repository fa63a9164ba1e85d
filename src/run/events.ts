/**
 * The event stream of a run: JSON lines with a monotonic sequence number, written to
 * `events.jsonl` (buffered, flushed at least every 200 ms and at the end) and optionally
 * to stdout. Every string value goes through the run's `redact` hook before the event is
 * serialized (src/sandbox/mask_record.ts): a secret never rewrites JSON syntax or a key.
 * @module
 */
import type { RunEvent } from "../schema/events.ts";
import { EVENTS_VERSION } from "../schema/versions.ts";
import { maskRecord } from "../sandbox/mask_record.ts";

/** Writes events. */
export class EventLog {
  #seq = 0;
  #buffer: string[] = [];
  #file: Deno.FsFile | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #listeners: ((event: RunEvent) => void)[] = [];
  constructor(
    readonly runId: string,
    readonly options: { path?: string; stdout?: boolean; redact: (text: string) => string },
  ) {}

  async open(): Promise<void> {
    if (this.options.path) {
      this.#file = await Deno.open(this.options.path, { create: true, append: true });
    }
  }

  /** Subscribes to events (the console view). */
  listen(fn: (event: RunEvent) => void): void {
    this.#listeners.push(fn);
  }

  emit(type: RunEvent["type"], fields: Partial<RunEvent> = {}): RunEvent {
    const event = {
      v: EVENTS_VERSION,
      seq: this.#seq++,
      ts: new Date().toISOString(),
      run: this.runId,
      type,
      ...fields,
    } as RunEvent;
    const shown = maskRecord(event, this.options.redact);
    const line = JSON.stringify(shown) + "\n";
    this.#buffer.push(line);
    if (this.options.stdout) {
      // Whole lines only: a short write would leave half a JSON line on stdout.
      const data = new TextEncoder().encode(line);
      let written = 0;
      while (written < data.length) written += Deno.stdout.writeSync(data.subarray(written));
    }
    if (this.#listeners.length) {
      // Listeners (the console) see what was written: masked.
      for (const fn of this.#listeners) fn(shown);
    }
    if (this.#timer === undefined && this.#file) this.#timer = setTimeout(() => this.flush(), 200);
    return event;
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#file || this.#buffer.length === 0) return;
    const data = new TextEncoder().encode(this.#buffer.join(""));
    this.#buffer = [];
    let written = 0;
    while (written < data.length) written += this.#file.writeSync(data.subarray(written));
  }

  close(): void {
    this.flush();
    this.#file?.close();
    this.#file = undefined;
  }
}
