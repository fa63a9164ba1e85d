/**
 * Version constraints of declared tools (`version: ">=5.1 <8"`) and the version a probe's
 * output holds. A constraint is alternatives joined by `||`, each a space-separated list of
 * comparators that must all hold: `>=5.1`, `>5`, `<=7`, `<8`, `=6.1.1`, `^6.1` (same major,
 * at least 6.1), `~6.1` (same major and minor), or a bare version (`6`, `6.1`: a prefix match).
 * Versions compare numerically, part by part; missing parts count as 0. Pure functions only:
 * starting the program is `sync/`'s job.
 * @module
 */

/** One comparator of a constraint. */
interface Comparator {
  op: ">=" | ">" | "<=" | "<" | "=" | "^" | "~" | "prefix";
  version: number[];
}

/** A parsed constraint: alternatives (`||`) of comparator lists (all must hold). */
export type VersionConstraint = Comparator[][];

const COMPARATOR = /^(>=|<=|>|<|=|\^|~)?(\d+(?:\.\d+)*)(?:\.[x*])?$/;

/** The default pattern a probe's output is searched with: the first dotted number. */
export const DEFAULT_VERSION_PATTERN = String.raw`(\d+(?:\.\d+)+)`;

/**
 * Parses a constraint; a string saying what is wrong when it is not one.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { parseConstraint, satisfies } from "./tool_version.ts";
 * const c = parseConstraint(">=5.1 <8 || ^9.2");
 * assert(typeof c !== "string" && satisfies("5.1.6", c) && !satisfies("8.0", c));
 * ```
 */
export function parseConstraint(text: string): VersionConstraint | string {
  const alternatives = text.split("||").map((part) => part.trim());
  if (alternatives.some((part) => part === "")) return "an empty alternative around `||`";
  const out: VersionConstraint = [];
  for (const alternative of alternatives) {
    const comparators: Comparator[] = [];
    // `>= 5` is written as one comparator with a space: join an operator to its version.
    const words = alternative.replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").split(/\s+/);
    for (const word of words) {
      const m = COMPARATOR.exec(word);
      if (!m) {
        return `\`${word}\` is not a comparator (write \`>=5.1\`, \`<8\`, \`^6\`, \`~6.1\` or \`6.1\`)`;
      }
      comparators.push({
        op: (m[1] as Comparator["op"] | undefined) ?? "prefix",
        version: m[2].split(".").map(Number),
      });
    }
    out.push(comparators);
  }
  return out;
}

/** -1, 0 or 1 as `a` is below, equal to or above `b` (missing parts are 0). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0, y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function holds(version: number[], c: Comparator): boolean {
  const cmp = compareVersions(version, c.version);
  switch (c.op) {
    case ">=":
      return cmp >= 0;
    case ">":
      return cmp > 0;
    case "<=":
      return cmp <= 0;
    case "<":
      return cmp < 0;
    case "=":
      return cmp === 0;
    case "prefix":
      return c.version.every((part, i) => (version[i] ?? 0) === part);
    case "^":
      return cmp >= 0 && (version[0] ?? 0) === c.version[0];
    case "~":
      return cmp >= 0 && (version[0] ?? 0) === c.version[0] &&
        (version[1] ?? 0) === (c.version[1] ?? 0);
  }
}

/** Whether `version` (dotted numbers, e.g. `5.1.6`) meets `constraint`. */
export function satisfies(version: string, constraint: VersionConstraint): boolean {
  const parts = version.split(".").map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return false;
  return constraint.some((all) => all.every((c) => holds(parts, c)));
}

/**
 * The version in a probe's output: the pattern's first group (or whole match), reduced to
 * its leading dotted number (`5.1.6-0+deb12u1` → `5.1.6`); undefined when it does not match.
 */
export function versionIn(output: string, pattern = DEFAULT_VERSION_PATTERN): string | undefined {
  const m = new RegExp(pattern).exec(output);
  if (!m) return undefined;
  const found = m[1] ?? m[0];
  return /^\d+(?:\.\d+)*/.exec(found)?.[0];
}
