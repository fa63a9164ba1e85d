/**
 * Gathers a workflow's sources and merges them into one raw document:
 * extends (recursively) → the file → its overlays → `--overlay`s → the profile.
 * @module
 */
import { dirname, relative, resolve } from "node:path";
import { didYouMean, LilyError, listNames } from "../errors.ts";
import { PETAL_KEYS, Profile } from "../schema/petal.ts";
import { validate } from "../schema/validate.ts";
import { loadSource, type SourceDoc } from "../source/load.ts";
import { locate } from "../source/locate.ts";
import { originOf, originOfKey, setKeyOrigin, setOrigin } from "../source/origin.ts";
import { mergeDocs } from "./merge.ts";
import { displayPath, loadProject, type Project } from "./project.ts";

/** A source that took part in a composition. */
export interface UsedSource {
  /** Absolute path. */
  path: string;
  role: "flow" | "base" | "overlay" | "profile" | "lilyrc" | "tools" | "fragment";
  sha256: string;
}

/** The merged document and everything needed to explain where it came from. */
export interface Resolved {
  raw: Record<string, unknown>;
  project: Project;
  flowFile: string;
  sources: UsedSource[];
  profile: string | null;
  /** Param values set by the profile, with where each was set. */
  profileParams: Record<
    string,
    { value: unknown; origin?: { file: string; path: (string | number)[] } }
  >;
}

/** Options for {@linkcode resolveSources}. */
export interface ResolveOptions {
  overlays?: string[];
  profile?: string;
  cwd?: string;
}

type Doc = Record<string, unknown>;

/** Loads and merges the sources of one workflow. */
export async function resolveSources(
  flow: string,
  options: ResolveOptions = {},
): Promise<Resolved> {
  const cwd = options.cwd ?? Deno.cwd();
  const project = await loadProject(flow, cwd);
  const sources: UsedSource[] = [];
  const flowPath = resolve(cwd, flow);
  let raw = await loadWithExtends(flowPath, [], sources, cwd, "flow");
  for (const overlay of options.overlays ?? []) {
    raw = await applyOverlay(raw, resolve(cwd, overlay), sources, cwd);
  }
  const profileName = options.profile ?? project.rc.profile ?? null;
  const profileParams: Resolved["profileParams"] = {};
  if (profileName) {
    const profilePath = await findProfile(project.root, profileName, cwd);
    const doc = await loadSource(displayPath(profilePath, cwd), { path: profilePath });
    sources.push({ path: profilePath, role: "profile", sha256: doc.sha256 });
    const data = (doc.data ?? {}) as Doc;
    const profile = validate(Profile, data, { what: "profile", file: doc.file });
    for (const overlay of profile.overlays ?? []) {
      raw = await applyOverlay(raw, resolve(dirname(profilePath), overlay), sources, cwd);
    }
    for (const [name, value] of Object.entries(profile.params ?? {})) {
      profileParams[name] = { value, origin: originOfKey(data.params as object, name) };
    }
    const patch = withoutKeys(data, ["params", "overlays"]);
    raw = mergeDocs(raw, patch) as Doc;
  }
  if (project.rcSource) {
    sources.push({
      path: resolve(project.root, ".lilyrc"),
      role: "lilyrc",
      sha256: project.rcSource.sha256,
    });
  }
  return {
    raw,
    project,
    flowFile: displayPath(flowPath, cwd),
    sources,
    profile: profileName,
    profileParams,
  };
}

async function loadDoc(
  path: string,
  cwd: string,
  what: string,
): Promise<SourceDoc & { data: Doc }> {
  const doc = await loadSource(displayPath(path, cwd), { path });
  if (doc.data === null || doc.data === undefined) {
    throw new LilyError("LILY-E0309", `\`${doc.file}\` is empty`, {
      span: { file: doc.file, line: 1, col: 1 },
      hint: what === "flow"
        ? 'a workflow starts with `petal: "1"`, `name:` and `steps:`'
        : undefined,
    });
  }
  if (typeof doc.data !== "object" || Array.isArray(doc.data)) {
    throw new LilyError("LILY-E0309", `\`${doc.file}\` must be a YAML map of fields`, {
      span: { file: doc.file, line: 1, col: 1 },
      hint: 'start the file with `petal: "1"` and `name: …`',
    });
  }
  return doc as SourceDoc & { data: Doc };
}

async function loadWithExtends(
  path: string,
  chain: string[],
  sources: UsedSource[],
  cwd: string,
  role: "flow" | "base",
): Promise<Doc> {
  const doc = await loadDoc(path, cwd, role);
  sources.push({ path, role, sha256: doc.sha256 });
  let merged: Doc = doc.data;
  const ext = doc.data.extends;
  if (ext !== undefined) {
    if (typeof ext !== "string") {
      throw new LilyError("LILY-E0205", "`extends` must be a path (a string)", {
        span: locate({ file: doc.file, path: ["extends"] }),
      });
    }
    const basePath = resolve(dirname(path), ext);
    const here = [...chain, path];
    if (here.includes(basePath)) {
      const cycle = [...here.slice(here.indexOf(basePath)), basePath].map((p) =>
        displayPath(p, cwd)
      );
      throw new LilyError("LILY-E0308", `\`extends\` forms a cycle: ${cycle.join(" → ")}`, {
        span: locate({ file: doc.file, path: ["extends"] }),
        label: "extends a file that extends this one",
        hint: "a base must not extend (directly or not) the file that extends it",
      });
    }
    try {
      await Deno.stat(basePath);
    } catch {
      throw new LilyError("LILY-E0310", `the base \`${ext}\` does not exist`, {
        span: locate({ file: doc.file, path: ["extends"] }),
        hint: `paths in \`extends:\` are relative to ${displayPath(dirname(path), cwd) || "."}/`,
      });
    }
    const base = await loadWithExtends(basePath, here, sources, cwd, "base");
    merged = mergeDocs(base, withoutKeys(doc.data, ["extends", "overlays"])) as Doc;
  } else {
    merged = withoutKeys(doc.data, ["overlays"]);
  }
  const overlays = doc.data.overlays;
  if (overlays !== undefined) {
    if (!Array.isArray(overlays) || overlays.some((o) => typeof o !== "string")) {
      throw new LilyError("LILY-E0205", "`overlays` must be a list of paths", {
        span: locate({ file: doc.file, path: ["overlays"] }),
      });
    }
    for (const overlay of overlays as string[]) {
      merged = await applyOverlay(merged, resolve(dirname(path), overlay), sources, cwd);
    }
  }
  return merged;
}

async function applyOverlay(
  base: Doc,
  path: string,
  sources: UsedSource[],
  cwd: string,
): Promise<Doc> {
  let doc: SourceDoc & { data: Doc };
  try {
    doc = await loadDoc(path, cwd, "overlay");
  } catch (error) {
    if (error instanceof LilyError && error.code === "LILY-E0101") {
      throw new LilyError("LILY-E0311", `overlay \`${displayPath(path, cwd)}\` does not exist`, {
        hint:
          "overlay paths in a file are relative to that file; `--overlay` paths to the current directory",
      });
    }
    throw error;
  }
  sources.push({ path, role: "overlay", sha256: doc.sha256 });
  for (const key of Object.keys(doc.data)) {
    if (!PETAL_KEYS.includes(key)) {
      const guess = didYouMean(key, PETAL_KEYS);
      throw new LilyError("LILY-E0201", `unknown field \`${key}\` in overlay`, {
        span: locate({ file: doc.file, path: [key] }, { key: true }),
        hint: guess ? `did you mean \`${guess}\`?` : `fields allowed: ${listNames(PETAL_KEYS, 20)}`,
      });
    }
  }
  if (doc.data.extends !== undefined) {
    throw new LilyError("LILY-E0312", "an overlay cannot use `extends`", {
      span: locate({ file: doc.file, path: ["extends"] }, { key: true }),
      hint: "put `extends:` in the workflow file; overlays only patch it",
    });
  }
  let patch = withoutKeys(doc.data, ["overlays", "petal"]);
  for (const nested of (doc.data.overlays as string[] | undefined) ?? []) {
    patch = await applyOverlay(patch, resolve(dirname(path), nested), sources, cwd);
  }
  return mergeDocs(base, patch) as Doc;
}

async function findProfile(root: string, name: string, cwd: string): Promise<string> {
  for (const ext of [".yaml", ".yml"]) {
    const path = `${root}/profiles/${name}${ext}`;
    try {
      await Deno.stat(path);
      return path;
    } catch {
      // try the next extension
    }
  }
  const available: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${root}/profiles`)) {
      const m = /^(.*)\.ya?ml$/.exec(entry.name);
      if (m) available.push(m[1]);
    }
  } catch {
    // no profiles folder
  }
  available.sort();
  const guess = didYouMean(name, available);
  throw new LilyError("LILY-E0313", `profile \`${name}\` not found`, {
    flag: `--profile ${name}`,
    hint: guess
      ? `did you mean \`${guess}\`?`
      : available.length
      ? `profiles in ${relative(cwd, root) || "."}/profiles/: ${listNames(available)}`
      : `create ${relative(cwd, root) || "."}/profiles/${name}.yaml with \`params:\``,
  });
}

function withoutKeys(map: Doc, keys: string[]): Doc {
  const out: Doc = {};
  for (const key of Object.keys(map)) {
    if (keys.includes(key)) continue;
    out[key] = map[key];
    const o = originOfKey(map, key);
    if (o) setKeyOrigin(out, key, o);
  }
  const origin = originOf(map);
  if (origin) setOrigin(out, origin);
  return out;
}
