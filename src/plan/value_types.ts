/**
 * Which value types flow into which: an input (or workflow output) of one type accepts a
 * source of another when the value converts without loss of meaning.
 * @module
 */
import { listNames } from "../errors.ts";
import { VALUE_TYPES, type ValueType } from "../schema/petal.ts";

/** Which value types an input of type `to` accepts from a source of type `from`. */
export function typesCompatible(from: ValueType, to: ValueType): boolean {
  if (from === to) return true;
  if (from === "secret" || to === "secret") return false;
  switch (to) {
    case "float":
      return from === "int";
    case "str":
      return from === "path";
    case "path":
      return from === "file" || from === "dir" || from === "str";
    case "json":
      return ["str", "int", "float", "bool", "path"].includes(from);
    default:
      return false;
  }
}

/** The types an input of `type` accepts, as a list for a hint. */
export function acceptedBy(type: ValueType): string {
  const all = VALUE_TYPES as readonly ValueType[];
  return listNames(all.filter((t) => typesCompatible(t, type)));
}
