/**
 * Template errors in a foreach's inner step, folded: every item renders the same templates,
 * so a mistake there (`{{ item }}` of a matrix, a map) fails once per item with the same code,
 * message and position. Render keeps the first, and adds a note naming the items that have it
 * (`in items \`test@a\`, \`test@b\` of foreach \`test\``). docs/foreach.md.
 * @module
 */
import { type LilyError, listNames } from "../errors.ts";

/** Collects the errors of foreach sub-steps; see {@linkcode ItemErrors.add}. */
export class ItemErrors {
  #seen = new Map<string, { errors: LilyError[]; foreach: string; keys: string[] }>();

  /**
   * Files `errors` raised rendering field `field` of step `stepId`; returns the errors to
   * report now (none when an earlier item of the same foreach had the same ones).
   *
   * @example
   * ```ts
   * import { LilyError } from "../errors.ts";
   * import { ItemErrors } from "./item_errors.ts";
   * const folded = new ItemErrors();
   * const e = () => new LilyError("LILY-E0406", "a map cannot be rendered as text");
   * const first = folded.add("t@a", "with.run", [e()]);
   * if (folded.add("t@b", "with.run", [e()]).length !== 0) throw new Error("once");
   * folded.finish();
   * if (!first[0].notes[0].message.includes("`t@b`")) throw new Error("named");
   * ```
   */
  add(stepId: string, field: string, errors: LilyError[]): LilyError[] {
    const at = stepId.indexOf("@");
    if (at <= 0 || errors.length === 0) return errors;
    const foreach = stepId.slice(0, at);
    const signature = [foreach, field, ...errors.map((e) => `${e.code} ${e.message}`)].join("\n");
    const seen = this.#seen.get(signature);
    if (seen) {
      seen.keys.push(stepId);
      return [];
    }
    this.#seen.set(signature, { errors, foreach, keys: [stepId] });
    return errors;
  }

  /** Adds to the first of each folded group the note naming its items. */
  finish(): void {
    for (const { errors, foreach, keys } of this.#seen.values()) {
      errors[0].notes.push({
        message: keys.length === 1
          ? `in item \`${keys[0]}\` of foreach \`${foreach}\``
          : `the same in ${keys.length} items of foreach \`${foreach}\`: ${listNames(keys, 6)}`,
      });
    }
  }
}
