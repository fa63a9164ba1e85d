/**
 * Ids with dots in conditions: a step inlined by `uses: include` is `notify.post`. The parser reads `steps.notify.post.outputs.x` as
 * one dotted name; this joins the id back into one part, so the checker and the evaluator see
 * `["steps", "notify.post", "outputs", "x"]` like any other step reference. Syntax only.
 * @module
 */

/**
 * The name path of a reference with dotted ids joined, and the offsets of its parts likewise.
 * `steps.<a>.<b>.outputs.<name>` joins `<a>.<b>`; any other path is returned as it is.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { joinDottedIds } from "./dotted_ids.ts";
 * const [ref] = joinDottedIds(["steps", "notify", "post", "outputs", "x"], [0, 6, 13, 18, 26]);
 * assert(ref.join("|") === "steps|notify.post|outputs|x");
 * assert(joinDottedIds(["params", "n", "x"], [0, 7, 9])[0].length === 3);
 * ```
 */
export function joinDottedIds(path: string[], parts: number[]): [string[], number[]] {
  const [root] = path;
  if (root === "steps" && path.length > 4 && path[path.length - 2] === "outputs") {
    const end = path.length - 2;
    return [
      [root, path.slice(1, end).join("."), ...path.slice(end)],
      [parts[0], parts[1], ...parts.slice(end)],
    ];
  }
  return [path, parts];
}
