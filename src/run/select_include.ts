/**
 * `--only` with an include's id: `notify` is not a step of the lock (compose inlined it), so it
 * stands for the steps inlined under it (`notify.fmt`, `notify.post`). Names that are steps, or
 * prefix none, are kept as given (an unknown name stays an error for select.ts).
 * @module
 */

/**
 * `only` with each include id replaced by the ids of the steps under it, in lock order.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { expandIncludeIds } from "./select_include.ts";
 * const ids = ["build", "notify.fmt", "notify.post"];
 * assert(expandIncludeIds(["notify", "build"], ids).join() === "notify.fmt,notify.post,build");
 * assert(expandIncludeIds(["nope"], ids).join() === "nope");
 * ```
 */
export function expandIncludeIds(only: string[], ids: Iterable<string>): string[] {
  const all = [...ids];
  return only.flatMap((name) => {
    if (all.includes(name)) return [name];
    const under = all.filter((id) => id.startsWith(`${name}.`));
    return under.length ? under : [name];
  });
}
