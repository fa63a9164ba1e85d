/**
 * The shell's variables: values, which are exported (to programs the script starts), which are
 * read-only, and the frames of `local` saved per function call. The special parameters (`$?`,
 * `$1`, `$-`…) are the interpreter's, not stored here.
 * @module
 */
import { ReadonlyError } from "./types.ts";

/**
 * A shell's variables. A subshell gets a {@linkcode Variables.copy}.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { Variables } from "./variables.ts";
 * const vars = new Variables({ HOME: "/h" });
 * vars.set("x", "1");
 * vars.pushFrame();
 * vars.makeLocal("x");
 * vars.set("x", "2");
 * vars.popFrame();
 * assert(vars.get("x") === "1" && vars.environment().HOME === "/h" && !("x" in vars.environment()));
 * ```
 */
export class Variables {
  #values: Map<string, string>;
  #exported: Set<string>;
  #readonly: Set<string>;
  /** Per enclosing call: the variables `local` saved (value, exported), restored at return. */
  #frames: Map<string, [string | undefined, boolean]>[];

  /** Starts with `env`, every one of them exported. */
  constructor(env: Record<string, string>) {
    this.#values = new Map(Object.entries(env));
    this.#exported = new Set(Object.keys(env));
    this.#readonly = new Set();
    this.#frames = [];
  }

  /** An independent copy (a subshell's). */
  copy(): Variables {
    const copy = new Variables({});
    copy.#values = new Map(this.#values);
    copy.#exported = new Set(this.#exported);
    copy.#readonly = new Set(this.#readonly);
    copy.#frames = this.#frames.map((frame) => new Map(frame));
    return copy;
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** Sets a value; a read-only variable throws {@linkcode ReadonlyError}. */
  set(name: string, value: string): void {
    if (this.#readonly.has(name)) throw new ReadonlyError(name);
    this.#values.set(name, value);
  }

  /** Sets a value without the read-only check (the shell's own: `$PWD` after `cd`). */
  setInternal(name: string, value: string): void {
    this.#values.set(name, value);
  }

  /** Removes a variable and its export; a read-only one throws {@linkcode ReadonlyError}. */
  unset(name: string): void {
    if (this.#readonly.has(name)) throw new ReadonlyError(name);
    this.#values.delete(name);
    this.#exported.delete(name);
  }

  export(name: string): void {
    this.#exported.add(name);
  }

  unexport(name: string): void {
    this.#exported.delete(name);
  }

  setReadonly(name: string): void {
    this.#readonly.add(name);
  }

  isReadonly(name: string): boolean {
    return this.#readonly.has(name);
  }

  get readonlyNames(): ReadonlySet<string> {
    return this.#readonly;
  }

  /** Exported variables that have a value (what a program started now would see). */
  environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of this.#exported) {
      const value = this.#values.get(name);
      if (value !== undefined) env[name] = value;
    }
    return env;
  }

  /** A function call begins: later `local`s are saved in its frame. */
  pushFrame(): void {
    this.#frames.push(new Map());
  }

  /** The call returns: each of its `local`s gets back its value and export. */
  popFrame(): void {
    for (const [name, [value, exported]] of this.#frames.pop()!) {
      this.#restore(name, value, exported);
    }
  }

  /** `local NAME`: NAME gets its value back when the innermost call returns (once per call). */
  makeLocal(name: string): void {
    const frame = this.#frames[this.#frames.length - 1];
    if (!frame || frame.has(name)) return;
    frame.set(name, [this.#values.get(name), this.#exported.has(name)]);
  }

  /**
   * Runs `fn` with `A=1 cmd`'s prefix assignments set and exported, then puts each variable
   * back as it was (as dash does for built-ins and function calls).
   */
  withAssigns(assigns: [string, string][], fn: () => Promise<number>): Promise<number> {
    // The common case costs no extra promise: built-ins are the shell's hot path.
    if (assigns.length === 0) return fn();
    return this.#assigned(assigns, fn);
  }

  async #assigned(assigns: [string, string][], fn: () => Promise<number>): Promise<number> {
    const saved = assigns.map(([k]) => [k, this.#values.get(k), this.#exported.has(k)] as const);
    for (const [k, v] of assigns) {
      this.#values.set(k, v);
      this.#exported.add(k);
    }
    try {
      return await fn();
    } finally {
      for (const [k, v, wasExported] of saved) {
        if (v === undefined) this.#values.delete(k);
        else this.#values.set(k, v);
        if (!wasExported) this.#exported.delete(k);
      }
    }
  }

  #restore(name: string, value: string | undefined, exported: boolean): void {
    if (value === undefined) this.#values.delete(name);
    else this.#values.set(name, value);
    if (exported) this.#exported.add(name);
    else this.#exported.delete(name);
  }
}
