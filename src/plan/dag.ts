/**
 * The DAG of steps: duplicate ids, missing and self `needs`, cycles (shown as a path), levels
 * (longest distance from a root) and transitive needs.
 * @module
 */
import { didYouMean, LilyError, LilyErrors, listNames } from "../errors.ts";
import { lazyLocate } from "../source/locate.ts";

/** A step as the DAG sees it. */
export interface DagNode {
  id: string;
  needs: string[];
  /** Path of the step in the raw document (`["steps", 3]`), for error positions. */
  path: (string | number)[];
}

/** The checked DAG. */
export interface Dag {
  order: string[];
  levels: string[][];
  levelOf: Map<string, number>;
  needs: Map<string, string[]>;
  /** All steps `id` depends on, directly or not (memoized). */
  ancestors(id: string): Set<string>;
  /** True when `id` depends on `other`, directly or not (cheap for direct needs). */
  dependsOn(id: string, other: string): boolean;
}

/**
 * Checks the graph and computes levels. Throws every problem found, each located.
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { buildDag } from "./dag.ts";
 * const dag = buildDag([{ id: "a", needs: [], path: [] }, { id: "b", needs: ["a"], path: [] }], {});
 * assert(dag.levels.length === 2);
 * ```
 */
export function buildDag(nodes: DagNode[], raw: unknown, what = "step"): Dag {
  const errors: LilyError[] = [];
  const where = (path: (string | number)[], key = false) => lazyLocate(raw, path, { key });
  const byId = new Map<string, DagNode>();
  for (const node of nodes) {
    const first = byId.get(node.id);
    if (first) {
      errors.push(
        new LilyError("LILY-E0601", `two ${what}s have the id \`${node.id}\``, {
          span: where([...node.path, "id"]),
          label: "duplicate id",
          notes: [{ span: where([...first.path, "id"]), message: "first defined here" }],
          hint: "give each step a unique `id`",
        }),
      );
      continue;
    }
    byId.set(node.id, node);
  }
  const ids = [...byId.keys()];
  const needs = new Map<string, string[]>();
  for (const node of byId.values()) {
    const list: string[] = [];
    node.needs.forEach((dep, i) => {
      if (dep === node.id) {
        errors.push(
          new LilyError("LILY-E0603", `${what} \`${node.id}\` needs itself`, {
            span: where([...node.path, "needs", i]),
            hint: "remove it from its own `needs:`",
          }),
        );
      } else if (!byId.has(dep)) {
        const guess = didYouMean(dep, ids);
        errors.push(
          new LilyError(
            "LILY-E0602",
            `${what} \`${node.id}\` needs \`${dep}\`, which is not defined`,
            {
              span: where([...node.path, "needs", i]),
              label: "no step has this id",
              hint: guess ? `did you mean \`${guess}\`?` : `defined ${what}s are ${listNames(ids)}`,
            },
          ),
        );
      } else if (!list.includes(dep)) {
        list.push(dep);
      }
    });
    needs.set(node.id, list);
  }
  if (errors.length) throw new LilyErrors(errors);

  // Kahn's algorithm gives the order and levels; leftovers are on or behind a cycle.
  const indegree = new Map(ids.map((id) => [id, needs.get(id)!.length]));
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const dep of needs.get(id)!) dependents.get(dep)!.push(id);
  const levelOf = new Map<string, number>();
  let frontier = ids.filter((id) => indegree.get(id) === 0);
  const order: string[] = [];
  const levels: string[][] = [];
  while (frontier.length) {
    levels.push([...frontier].sort());
    const next: string[] = [];
    for (const id of frontier) {
      order.push(id);
      levelOf.set(id, levels.length - 1);
      for (const child of dependents.get(id)!) {
        const left = indegree.get(child)! - 1;
        indegree.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    frontier = next;
  }
  if (order.length !== ids.length) {
    const cycle = findCycle(ids.filter((id) => !levelOf.has(id)), needs);
    const node = byId.get(cycle[0])!;
    const index = node.needs.indexOf(cycle[1]);
    throw new LilyError(
      "LILY-E0604",
      `the ${what}s form a cycle: ${cycle.map((id) => `\`${id}\``).join(" → ")}`,
      {
        span: where([...node.path, "needs", Math.max(0, index)]),
        label: `\`${cycle[0]}\` needs \`${cycle[1]}\``,
        hint: "remove one of these `needs:` so the steps can run in some order",
      },
    );
  }
  const memo = new Map<string, Set<string>>();
  const ancestors = (id: string): Set<string> => {
    let set = memo.get(id);
    if (set) return set;
    set = new Set();
    const stack = [...(needs.get(id) ?? [])];
    while (stack.length) {
      const dep = stack.pop()!;
      if (set.has(dep)) continue;
      set.add(dep);
      stack.push(...(needs.get(dep) ?? []));
    }
    memo.set(id, set);
    return set;
  };
  const dependsOn = (id: string, other: string): boolean => {
    const direct = needs.get(id) ?? [];
    if (direct.includes(other)) return true;
    if (memo.has(id)) return memo.get(id)!.has(other);
    // Walk back from `id`, never past the level of `other` (it cannot be behind it).
    const floor = levelOf.get(other) ?? 0;
    const seen = new Set<string>();
    const stack = [...direct];
    while (stack.length) {
      const dep = stack.pop()!;
      if (dep === other) return true;
      if (seen.has(dep) || (levelOf.get(dep) ?? 0) <= floor) continue;
      seen.add(dep);
      stack.push(...(needs.get(dep) ?? []));
    }
    return false;
  };
  return { order, levels, levelOf, needs, ancestors, dependsOn };
}

/** A cycle among `candidates`, as ids ending where it starts (`a → b → a`). */
function findCycle(candidates: string[], needs: Map<string, string[]>): string[] {
  const inSet = new Set(candidates);
  const start = [...candidates].sort()[0];
  const path: string[] = [];
  const seen = new Map<string, number>();
  let current = start;
  while (!seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    current = needs.get(current)!.filter((d) => inSet.has(d)).sort()[0];
  }
  return [...path.slice(seen.get(current)!), current];
}
