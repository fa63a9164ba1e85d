/**
 * Size bounds for template filters: the output budget ({@linkcode MAX_OUTPUT_LENGTH}) applies
 * to every filter's result, and a filter whose size argument would build a larger value
 * (`center(2e9)`, `indent(2e9)`, `batch(2e9)`, a `replace` that multiplies its input) is
 * refused before it runs, so compose never allocates it.
 * @module
 */
import { MAX_OUTPUT_LENGTH, Refusal } from "./guards.ts";

function tooLarge(name: string, size: number): Refusal {
  return new Refusal(
    "LILY-E0733",
    `\`${name}\` would build ${
      Number.isFinite(size) ? Math.round(size) : size
    } characters, over the template budget of ${MAX_OUTPUT_LENGTH}`,
    "templates render configuration, not data: build large text in a step",
  );
}

/** Refuses a filter call whose arguments would build more than the budget. */
export function checkFilterArgs(name: string, args: unknown[]): void {
  const [input] = args;
  // An undefined value (a mistyped `params.nmae`) would turn into "" through `upper` and the
  // like, and the output check never sees it: only `default` may take one.
  if (input === undefined && name !== "default" && name !== "d") {
    throw new Refusal(
      "LILY-E0403",
      `\`${name}\` got an undefined value`,
      'check the name (params and vars must be declared), or use `| default("…")` first',
    );
  }
  const inputLength = typeof input === "string" ? input.length : String(input ?? "").length;
  const num = (v: unknown) => (typeof v === "number" ? v : Number(v));
  switch (name) {
    case "center": {
      const width = num(args[1] ?? 80);
      if (!(width <= MAX_OUTPUT_LENGTH)) throw tooLarge(name, width);
      break;
    }
    case "indent": {
      const width = num(args[1] ?? 4);
      const lines = inputLength === 0 ? 1 : String(input).split("\n").length;
      if (!(width <= MAX_OUTPUT_LENGTH) || width * lines + inputLength > MAX_OUTPUT_LENGTH) {
        throw tooLarge(name, width * lines + inputLength);
      }
      break;
    }
    case "batch": {
      const size = num(args[1]);
      if (!(size <= MAX_OUTPUT_LENGTH)) throw tooLarge(name, size);
      break;
    }
    case "replace": {
      const [, from, to] = args;
      if (typeof input !== "string" || typeof to !== "string") break;
      const fromText = String(from ?? "");
      const count = fromText === "" ? inputLength + 1 : input.split(fromText).length - 1;
      const size = inputLength + count * (to.length - fromText.length);
      if (size > MAX_OUTPUT_LENGTH) throw tooLarge(name, size);
      break;
    }
  }
}

/** Refuses a filter result over the budget. */
export function checkFilterResult(name: string, result: unknown): unknown {
  const length = typeof result === "string"
    ? result.length
    : typeof (result as { val?: unknown } | null)?.val === "string"
    ? (result as { val: string }).val.length
    : 0;
  if (length > MAX_OUTPUT_LENGTH) throw tooLarge(name, length);
  return result;
}
