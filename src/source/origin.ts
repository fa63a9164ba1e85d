/**
 * Where each loaded value came from. Values stay plain JSON-like data; their origins live in
 * side tables so that merging, validation and hashing never see them.
 * @module
 */

/** A path into a YAML document: map keys and list indexes. */
export type DocPath = (string | number)[];

/** A value's source: the file and the path of its node inside that file. */
export interface Origin {
  readonly file: string;
  readonly path: DocPath;
}

/**
 * An origin that links to its parent instead of copying the path: loading a large file makes
 * one small object per map or list, and the path array only when an error asks for it.
 */
export class ChildOrigin implements Origin {
  #path?: DocPath;
  constructor(
    readonly file: string,
    readonly parent: Origin | undefined,
    readonly key: string | number,
  ) {}
  get path(): DocPath {
    if (!this.#path) this.#path = this.parent ? [...this.parent.path, this.key] : [this.key];
    return this.#path;
  }
}

/** The origin of a document's root. */
export function rootOrigin(file: string): Origin {
  return { file, path: [] };
}

const nodeOrigins = new WeakMap<object, Origin>();
const keyOrigins = new WeakMap<object, Map<string | number, Origin>>();

/** Records where a map or list came from. */
export function setOrigin(node: object, origin: Origin): void {
  nodeOrigins.set(node, origin);
}

/** The origin of a map or list, if it was loaded from a file. */
export function originOf(node: object): Origin | undefined {
  return nodeOrigins.get(node);
}

/** Records that `node[key]` came from `origin` (used by merges, where keys mix files). */
export function setKeyOrigin(node: object, key: string | number, origin: Origin): void {
  let map = keyOrigins.get(node);
  if (!map) keyOrigins.set(node, map = new Map());
  map.set(key, origin);
}

/** The origin of `node[key]`: its own record, else its parent's origin extended by `key`. */
export function originOfKey(node: object, key: string | number): Origin | undefined {
  const own = keyOrigins.get(node)?.get(key);
  if (own) return own;
  const parent = nodeOrigins.get(node);
  return parent ? new ChildOrigin(parent.file, parent, key) : undefined;
}

/**
 * Follows `path` from `root` and returns the deepest origin known for it. Where the walk
 * leaves the data (a key that does not exist), the rest of the path is appended.
 */
export function originAt(root: unknown, path: readonly PropertyKey[]): Origin | undefined {
  let node: unknown = root;
  let best: Origin | undefined = typeof root === "object" && root !== null
    ? originOf(root)
    : undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === "symbol") break;
    if (typeof node !== "object" || node === null) {
      if (best) best = { file: best.file, path: [...best.path, ...path.slice(i) as DocPath] };
      break;
    }
    const here = originOfKey(node, key);
    if (here) best = here;
    node = (node as Record<string | number, unknown>)[key];
    if (typeof node === "object" && node !== null && originOf(node)) {
      // A node's own origin wins over its key origin only when both name the same file.
      const own = originOf(node)!;
      if (!here || own.file === here.file) best = own;
    }
  }
  return best;
}
