/**
 * `matrix:` → the list of combinations, with GitHub Actions' documented semantics
 * (docs/foreach.md cites the page): the product of the axes, the first axis varying slowest;
 * `exclude` entries remove every combination they match (an entry may name some axes only);
 * then each `include` entry extends every original combination whose axis values it does not
 * contradict (an original value is never overwritten, a value added by an earlier include may
 * be), and an entry that extends none is added as a combination of its own. Pure data.
 * @module
 */

/** One combination: axis (and included) name → value. */
export type Combination = Record<string, unknown>;

/** Why a matrix cannot be expanded, with the path of the bad part under `matrix`. */
export interface MatrixProblem {
  path: (string | number)[];
  message: string;
}

/** The combinations of `matrix`, or the problems found. */
export type MatrixResult = { combinations: Combination[] } | { problems: MatrixProblem[] };

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Expands a matrix.
 *
 * @example
 * ```ts
 * import { matrixCombinations } from "./foreach_matrix.ts";
 * const out = matrixCombinations({ os: ["a", "b"], py: [1, 2], exclude: [{ os: "b", py: 2 }] });
 * if (!("combinations" in out) || out.combinations.length !== 3) throw new Error("matrix");
 * ```
 */
export function matrixCombinations(matrix: unknown): MatrixResult {
  const problems: MatrixProblem[] = [];
  if (!isMap(matrix)) {
    return { problems: [{ path: [], message: "`matrix` is not a map of axes" }] };
  }
  const axes: [string, unknown[]][] = [];
  for (const [name, values] of Object.entries(matrix)) {
    if (name === "include" || name === "exclude") continue;
    if (!Array.isArray(values) || values.length === 0) {
      problems.push({ path: [name], message: `axis \`${name}\` is not a non-empty list` });
    } else axes.push([name, values]);
  }
  const entries = (name: "include" | "exclude"): Combination[] => {
    const list = matrix[name];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      problems.push({ path: [name], message: `\`${name}\` is not a list of maps` });
      return [];
    }
    const out: Combination[] = [];
    list.forEach((entry, i) => {
      if (!isMap(entry) || Object.keys(entry).length === 0) {
        problems.push({ path: [name, i], message: `\`${name}[${i}]\` is not a non-empty map` });
      } else out.push(entry);
    });
    return out;
  };
  const include = entries("include");
  const exclude = entries("exclude");
  const axisNames = new Set(axes.map(([n]) => n));
  exclude.forEach((entry, i) => {
    for (const key of Object.keys(entry)) {
      if (!axisNames.has(key)) {
        problems.push({
          path: ["exclude", i, key],
          message: `\`exclude[${i}]\` names \`${key}\`, which is not an axis of the matrix`,
        });
      }
    }
  });
  if (axes.length === 0 && include.length === 0 && !problems.length) {
    problems.push({ path: [], message: "the matrix has no axis and no `include`" });
  }
  if (problems.length) return { problems };

  let product: Combination[] = axes.length ? [{}] : [];
  for (const [name, values] of axes) {
    const next: Combination[] = [];
    for (const partial of product) for (const v of values) next.push({ ...partial, [name]: v });
    product = next;
  }
  const originals = product.filter((c) =>
    !exclude.some((entry) => Object.entries(entry).every(([k, v]) => same(c[k], v)))
  );
  const added: Combination[] = [];
  for (const entry of include) {
    let extended = false;
    for (const c of originals) {
      const fits = Object.entries(entry).every(([k, v]) => !axisNames.has(k) || same(c[k], v));
      if (fits) {
        Object.assign(c, entry);
        extended = true;
      }
    }
    if (!extended) added.push({ ...entry });
  }
  return { combinations: [...originals, ...added] };
}
