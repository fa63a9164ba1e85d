/**
 * The include stage: every `uses: include` step of a rendered workflow is replaced by its
 * fragment's steps, at compose. A fragment is a Petal file inside the project; its params are
 * mapped from the include's `with.params` (include_params.ts), it is rendered in its own
 * context, its own includes are inlined first, and its steps are moved under the include's id
 * (`notify.post`, include_refs.ts). Its workflow `outputs:` become the include step's outputs:
 * a dependant's `needs: [notify]` and `steps.notify.outputs.x` are rewritten to the inner
 * steps that produce them, so the lock holds only ordinary steps and the engine needs nothing
 * new. A workflow without includes returns at the first check.
 * @module
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { LilyError, LilyErrors, type Span, userErrors } from "../errors.ts";
import type { LockFile } from "../schema/lock.ts";
import { type Param, type Petal, Petal as PetalSchema, type Step } from "../schema/petal.ts";
import { validate } from "../schema/validate.ts";
import { loadSource } from "../source/load.ts";
import { lazyLocate } from "../source/locate.ts";
import { originOf, originOfKey, setKeyOrigin, setOrigin } from "../source/origin.ts";
import { declareGateOutputs } from "../steps/human.ts";
import { INCLUDE_STEP_FIELDS, includeKind } from "../steps/include.ts";
import { unsupportedInSource } from "../steps/support.ts";
import { mapIncludeParams, type SecretMarker } from "./include_params.ts";
import {
  type Exposure,
  literalOf,
  prefixStep,
  resolveIncludeRefs,
  resolveOutputRef,
  rewriteNames,
} from "./include_refs.ts";
import { displayPath } from "./project.ts";
import { secretSideDoors } from "./secret_doors.ts";
import { type RenderEffects, type RenderInputs, renderPetal } from "./render.ts";
import type { Resolved, UsedSource } from "./resolve.ts";
import { secretEnvName } from "../schema/secret_env.ts";

/** What rendering a fragment needs from the composition (its params are the include's). */
export type IncludeRenderInputs = Pick<RenderInputs, "templateEnv" | "getEnv">;

/** The workflow with its includes inlined, and what the rest of compose needs to know. */
export interface Inlined {
  petal: Petal;
  /** The merged source with the inlined steps' own sources in place (error positions). */
  raw: Record<string, unknown>;
  /** Each fragment read (role `fragment`), once. */
  fragments: UsedSource[];
  /** The fragments' params under their lock names (`notify.channel`), with their values. */
  paramTypes: Record<string, Param["type"]>;
  values: Record<string, unknown>;
  /** Each include's id (its steps' prefix) → its fragment, project-relative. */
  includes: Record<string, string>;
}

/**
 * Records in the lock's provenance (outside spec_hash) each fragment with its hash, as a source
 * of role `fragment` (so `lily verify` notices an edited one), and each include's prefix.
 */
export function recordIncludes(
  lock: LockFile,
  inlined: Pick<Inlined, "fragments" | "includes">,
  root: string,
): void {
  for (const source of inlined.fragments) {
    lock.provenance.sources.push({
      path: relative(root, source.path).replaceAll("\\", "/"),
      role: "fragment",
      sha256: `sha256:${source.sha256}`,
    });
  }
  lock.provenance.includes = inlined.includes;
}

/** True when a step of `petal` is an include (the stage has work to do). */
export function hasIncludes(petal: Petal): boolean {
  return petal.steps.some((s) => s.uses === "include") ||
    (petal.on_error ?? []).some((s) => s.uses === "include");
}

/** One link of an include chain: `file` includes the next file at `at`. */
interface Link {
  abs: string;
  file: string;
  at: Span;
}

/** A document whose steps may include fragments: the workflow, or a fragment. */
interface Doc {
  petal: Petal;
  raw: Record<string, unknown>;
  abs: string;
  chain: Link[];
  /** Full prefix of this document's steps in the lock (`""`, `notify.`). */
  ns: string;
  /** Secret params of this document → where they are read at run time. */
  secrets: Record<string, SecretMarker>;
  /** For a fragment: its param values and vars, which its `if:` conditions read. */
  constants?: { params: Record<string, unknown>; vars: Record<string, unknown> };
}

/** A step with the source data it was read from (for positions). */
interface Entry {
  step: Step;
  raw: unknown;
}

/** A document's steps with its includes inlined, in the document's namespace. */
interface Expansion {
  steps: Entry[];
  onError: Entry[];
  outputs: Petal["outputs"];
  exposures: Map<string, Exposure>;
  /** Lock params of the inlined fragments, in the document's namespace. */
  params: Map<string, { type: Param["type"]; value?: unknown; secret?: SecretMarker }>;
  includes: Record<string, string>;
}

interface Context {
  project: Resolved["project"];
  root: string;
  realRoot: string;
  cwd: string;
  render: Omit<RenderInputs, "params" | "secretParams">;
  effects: RenderEffects;
  sources: Map<string, UsedSource>;
  errors: LilyError[];
}

/**
 * Inlines the includes of `rendered` (the workflow composed from `resolved`). Every problem of
 * the pass is thrown together, positioned.
 */
export async function inlineIncludes(
  rendered: { petal: Petal; effects: RenderEffects },
  resolved: Resolved,
  options: { cwd: string; render: IncludeRenderInputs; sourceDateEpoch?: number },
): Promise<Inlined> {
  const root = resolved.project.root;
  const context: Context = {
    project: resolved.project,
    root,
    realRoot: await realPath(root),
    cwd: options.cwd,
    render: {
      ...options.render,
      projectRoot: root,
      sourceDateEpoch: options.sourceDateEpoch,
    },
    effects: rendered.effects,
    sources: new Map(),
    errors: [],
  };
  const secrets: Record<string, SecretMarker> = {};
  for (const [name, p] of Object.entries(rendered.petal.params ?? {})) {
    if (p.type !== "secret") continue;
    secrets[name] = {
      source: p.source ?? `env:${secretEnvName(name)}`,
      required: p.required ?? true,
    };
  }
  const main: Doc = {
    petal: rendered.petal,
    raw: resolved.raw,
    abs: resolve(options.cwd, resolved.flowFile),
    chain: [],
    ns: "",
    secrets,
  };
  const expansion = await expandDoc(main, context);
  if (context.errors.length) throw new LilyErrors(context.errors);
  const paramTypes: Record<string, Param["type"]> = {};
  const values: Record<string, unknown> = {};
  const params: Record<string, Param> = { ...rendered.petal.params };
  for (const [name, p] of expansion.params) {
    paramTypes[name] = p.type;
    params[name] = p.secret
      ? { type: "secret", source: p.secret.source, required: p.secret.required }
      : { type: p.type };
    if (!p.secret) values[name] = p.value ?? null;
  }
  const petal: Petal = {
    ...rendered.petal,
    params,
    steps: expansion.steps.map((e) => e.step),
    ...(rendered.petal.on_error ? { on_error: expansion.onError.map((e) => e.step) } : {}),
    ...(rendered.petal.outputs ? { outputs: expansion.outputs } : {}),
  };
  return {
    petal,
    raw: rawWith(resolved.raw, expansion),
    fragments: [...context.sources.values()],
    paramTypes,
    values,
    includes: expansion.includes,
  };
}

/** A copy of `raw` whose step lists hold each inlined step's own source data. */
function rawWith(raw: Record<string, unknown>, expansion: Expansion): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    out[key] = raw[key];
    const origin = originOfKey(raw, key);
    if (origin) setKeyOrigin(out, key, origin);
  }
  const origin = originOf(raw);
  if (origin) setOrigin(out, origin);
  const list = (entries: Entry[]) => {
    const items = entries.map((e) => e.raw);
    items.forEach((item, i) => {
      const own = typeof item === "object" && item !== null ? originOf(item) : undefined;
      if (own) setKeyOrigin(items, i, own);
    });
    return items;
  };
  out.steps = list(expansion.steps);
  if (Array.isArray(raw.on_error)) out.on_error = list(expansion.onError);
  return out;
}

async function expandDoc(doc: Doc, context: Context): Promise<Expansion> {
  const expansion: Expansion = {
    steps: [],
    onError: [],
    outputs: doc.petal.outputs,
    exposures: new Map(),
    params: new Map(),
    includes: {},
  };
  for (const list of ["steps", "on_error"] as const) {
    const rawList = (doc.raw[list] ?? []) as unknown[];
    const target = list === "steps" ? expansion.steps : expansion.onError;
    for (const [index, step] of (doc.petal[list] ?? []).entries()) {
      const raw = rawList[index];
      if (step.uses !== "include") {
        target.push({ step: constantsInlined(step, doc), raw });
        continue;
      }
      const inlined = await inlineOne(doc, { step, raw }, context);
      if (!inlined) continue;
      target.push(...inlined.steps);
      expansion.exposures.set(step.id, inlined.exposure);
      for (const [name, p] of inlined.params) expansion.params.set(name, p);
      Object.assign(expansion.includes, inlined.includes);
    }
  }
  if (expansion.exposures.size === 0) return expansion;
  // References to include steps, now that every include of this document has its exposure.
  for (const entries of [expansion.steps, expansion.onError]) {
    entries.forEach((entry, i) => {
      const [step, missing] = resolveIncludeRefs(entry.step, expansion.exposures);
      entries[i] = { step, raw: entry.raw };
      for (const m of missing) {
        context.errors.push(unexposed(m.include, m.output, lazyLocate(entry.raw, m.field), {
          exposures: expansion.exposures,
        }));
      }
    });
  }
  expansion.outputs = doc.petal.outputs?.map((entry, index) => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entry)) {
      const isMap = typeof value === "object" && value !== null;
      const from = isMap ? (value as { from?: unknown }).from : value;
      if (typeof from !== "string") {
        out[name] = value;
        continue;
      }
      const resolvedRef = resolveOutputRef(from, expansion.exposures);
      if (resolvedRef === null) {
        const ref = /^steps\.([^.]+)\.outputs\.(.+)$/.exec(from.trim())!;
        const at = lazyLocate(doc.raw, ["outputs", index, name, ...(isMap ? ["from"] : [])]);
        context.errors.push(unexposed(ref[1], ref[2], at, { exposures: expansion.exposures }));
      }
      const text = resolvedRef ?? from;
      out[name] = isMap ? { ...(value as Record<string, unknown>), from: text } : text;
    }
    return out;
  });
  return expansion;
}

function unexposed(
  include: string,
  output: string,
  span: Span,
  { exposures }: { exposures: ReadonlyMap<string, Exposure> },
): LilyError {
  const names = [...exposures.get(include)?.outputs.keys() ?? []];
  return new LilyError(
    "LILY-E0977",
    `include \`${include}\` has no output \`${output}\``,
    {
      span,
      label: "not among the fragment's `outputs:`",
      hint: names.length
        ? `its outputs are ${names.map((n) => `\`${n}\``).join(", ")}`
        : "declare it in the fragment's workflow `outputs:` (`- " + output +
          ": steps.<id>.outputs.<name>`)",
    },
  );
}

/** A fragment step's `if:` with the fragment's params and vars as the constants they are. */
function constantsInlined(step: Step, doc: Doc): Step {
  const constants = doc.constants;
  if (!constants || step.if === undefined) return step;
  const text = rewriteNames(step.if, (path) => {
    const [root, name] = path;
    if ((root !== "params" && root !== "vars") || path.length !== 2) return undefined;
    const values = root === "params" ? constants.params : constants.vars;
    // A secret or a map has no literal: the lock name makes the condition fail to compile.
    const literal = Object.hasOwn(values, name) ? literalOf(values[name]) : undefined;
    return literal ?? `${root}.${doc.ns}${name}`;
  });
  return { ...step, if: text };
}

interface InlinedOne {
  steps: Entry[];
  exposure: Exposure;
  params: Expansion["params"];
  includes: Record<string, string>;
}

async function inlineOne(
  doc: Doc,
  entry: Entry,
  context: Context,
): Promise<InlinedOne | undefined> {
  const { step } = entry;
  const id = step.id;
  const at = (path: (string | number)[], key = false) => lazyLocate(entry.raw, path, { key });
  const errors: LilyError[] = [];
  for (const field of Object.keys(step)) {
    if ((INCLUDE_STEP_FIELDS as readonly string[]).includes(field)) continue;
    if ((step as Record<string, unknown>)[field] === undefined) continue;
    errors.push(
      new LilyError("LILY-E0970", `include step \`${id}\` cannot take \`${field}:\``, {
        span: at([field], true),
        hint: `an include takes ${
          INCLUDE_STEP_FIELDS.map((f) => `\`${f}\``).join(", ")
        }; put \`${field}:\` on the fragment's steps`,
      }),
    );
  }
  // A field the include cannot take does not stop the checks of its fragment and params:
  // every problem of the step is reported in one pass.
  fail(context, errors.splice(0));
  const withBlock = step.with ?? {};
  errors.push(
    ...includeKind.check!(withBlock, {
      id,
      spanOf: (path) => at(step.with ? ["with", ...path] : []),
    }),
  );
  if (errors.length) return fail(context, errors);
  const petalAt = at(["with", "petal"]);
  // Relative to the file the step was written in (a base or an overlay may hold it).
  const origin = typeof entry.raw === "object" && entry.raw !== null
    ? originOf(entry.raw)
    : undefined;
  const includingAbs = origin ? resolve(context.cwd, origin.file) : doc.abs;
  const includingFile = displayPath(includingAbs, context.cwd);
  const given = String(withBlock.petal).trim();
  const abs = resolve(dirname(includingAbs), given);
  const file = displayPath(abs, context.cwd);
  const lexical = relative(context.root, abs);
  if (isAbsolute(given) || lexical.startsWith("..") || isAbsolute(lexical)) {
    return fail(context, [escapeError(id, given, petalAt, isAbsolute(given) ? "absolute" : "up")]);
  }
  let real: string;
  try {
    const info = await Deno.stat(abs);
    if (!info.isFile) throw new Error("not a file");
    real = await realPath(abs);
  } catch {
    return fail(context, [
      new LilyError("LILY-E0971", `include \`${id}\`: the fragment \`${given}\` does not exist`, {
        span: petalAt,
        label: `no file ${file}`,
        hint: `\`with.petal\` is relative to the including file's folder (${
          displayPath(dirname(includingAbs), context.cwd) || "."
        }/)`,
      }),
    ]);
  }
  const realLexical = relative(context.realRoot, real);
  if (realLexical.startsWith("..") || isAbsolute(realLexical)) {
    return fail(context, [escapeError(id, given, petalAt, "link")]);
  }
  const links: Link[] = [...doc.chain, { abs: includingAbs, file: includingFile, at: petalAt }];
  const loop = links.findIndex((l) => l.abs === real || l.abs === abs);
  if (loop >= 0) {
    const chain = links.slice(loop).map((l) => `${l.file}:${l.at.line}:${l.at.col}`);
    return fail(context, [
      new LilyError("LILY-E0973", `includes form a cycle: ${[...chain, file].join(" → ")}`, {
        span: petalAt,
        label: "includes a file that includes this one",
        hint: "a fragment must not include (directly or not) a file that includes it",
      }),
    ]);
  }

  let loaded;
  try {
    loaded = await loadSource(file, { path: abs });
  } catch (error) {
    const found = userErrors(error);
    if (!found) throw error;
    return fail(context, found);
  }
  if (!context.sources.has(abs)) {
    context.sources.set(abs, { path: abs, role: "fragment", sha256: loaded.sha256 });
  }
  const data = loaded.data as Record<string, unknown>;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return fail(context, [
      new LilyError("LILY-E0978", `the fragment \`${file}\` must be a Petal workflow (a map)`, {
        span: { file, line: 1, col: 1 },
        hint: 'start it with `petal: "1"`, `name:` and `steps:`',
      }),
    ]);
  }
  let fragment: Petal;
  try {
    fragment = validate(PetalSchema, data, {
      what: "fragment",
      file,
      alongside: unsupportedInSource(data, (path) => lazyLocate(data, path)),
    });
  } catch (error) {
    const found = userErrors(error);
    if (!found) throw error;
    return fail(context, found);
  }
  // Secret side doors (resources.env, if: env.X) are refused in a fragment as in a workflow.
  const doors = secretSideDoors(fragment, data, context.project);
  if (doors.length) return fail(context, doors);
  const refused = (["extends", "overlays", "on_error", "artifacts"] as const).filter((k) =>
    fragment[k] !== undefined
  );
  if (refused.length) {
    return fail(
      context,
      refused.map((key) =>
        new LilyError("LILY-E0978", `a fragment cannot have \`${key}:\` (\`${file}\`)`, {
          span: lazyLocate(data, [key], { key: true }),
          hint: key === "on_error"
            ? "put `on_error:` steps in the including workflow"
            : "a fragment is params, vars, env, steps and outputs; compose it from the including workflow",
        })
      ),
    );
  }

  const givenParams = withBlock.params as Record<string, unknown> | undefined;
  const mapped = mapIncludeParams(fragment.params ?? {}, givenParams, {
    id,
    fragment: file,
    spanOf: (path, key) =>
      at(givenParams ? ["with", "params", ...path] : step.with ? ["with"] : [], key),
    secrets: doc.secrets,
  });
  if (mapped.errors.length) return fail(context, mapped.errors);
  const visible: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(mapped.values)) visible[name] = value ?? null;
  const ns = `${doc.ns}${id}.`;
  let renderedFragment: { petal: Petal; effects: RenderEffects };
  try {
    renderedFragment = await renderPetal(fragment, data, {
      ...context.render,
      params: visible,
      secretParams: new Set(Object.keys(mapped.secrets)),
    });
  } catch (error) {
    const found = userErrors(error);
    if (!found) throw error;
    return fail(context, found);
  }
  mergeEffects(context.effects, renderedFragment.effects, ns);
  // A human gate's typed output `answer`, before the fragment's outputs are checked against it.
  declareGateOutputs(renderedFragment.petal);

  const inner = await expandDoc({
    petal: renderedFragment.petal,
    raw: data,
    abs: real,
    chain: links,
    ns,
    secrets: mapped.secrets,
    constants: { params: visible, vars: renderedFragment.petal.vars ?? {} },
  }, context);

  // The fragment's workflow outputs → the inner outputs they read, checked.
  const innerIds = new Map(inner.steps.map((e) => [e.step.id, e.step.outputs ?? {}]));
  const outputs = new Map<string, string>();
  (inner.outputs ?? []).forEach((outputEntry, index) => {
    for (const [name, value] of Object.entries(outputEntry)) {
      const isMap = typeof value === "object" && value !== null;
      const from = isMap ? (value as { from?: unknown }).from : value;
      const ref = typeof from === "string"
        ? /^steps\.([A-Za-z_][A-Za-z0-9_.-]*)\.outputs\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(from.trim())
        : null;
      const declared = ref ? innerIds.get(ref[1]) : undefined;
      if (!ref || !declared || !Object.hasOwn(declared, ref[2])) {
        context.errors.push(
          new LilyError(
            "LILY-E0977",
            `fragment output \`${name}\` must name an output of one of the fragment's steps`,
            {
              span: lazyLocate(data, ["outputs", index, name, ...(isMap ? ["from"] : [])]),
              hint: `the fragment's steps are ${
                [...innerIds.keys()].map((s) => `\`${s}\``).join(", ") || "none"
              }; write \`${name}: steps.<id>.outputs.<name>\``,
            },
          ),
        );
        continue;
      }
      outputs.set(name, `steps.${id}.${ref[1]}.outputs.${ref[2]}`);
    }
  });

  // Under the include's id: fragment env, then the include's env, under each step's own.
  const needed = new Set(inner.steps.flatMap((e) => e.step.needs ?? []));
  const steps = inner.steps.map((e): Entry => {
    const moved = prefixStep(e.step, id);
    const env = { ...renderedFragment.petal.env, ...step.env, ...e.step.env };
    if (Object.keys(env).length) moved.env = env;
    if (!e.step.needs?.length && step.needs?.length) moved.needs = [...step.needs];
    return { step: moved, raw: e.raw };
  });
  const params: Expansion["params"] = new Map();
  for (const [name, p] of Object.entries(fragment.params ?? {})) {
    params.set(
      `${id}.${name}`,
      p.type === "secret"
        ? { type: "secret", secret: mapped.secrets[name] }
        : { type: p.type, value: mapped.values[name] },
    );
  }
  for (const [name, p] of inner.params) params.set(`${id}.${name}`, p);
  const includes: Record<string, string> = {
    [id]: relative(context.root, abs).replaceAll("\\", "/"),
  };
  for (const [prefix, path] of Object.entries(inner.includes)) includes[`${id}.${prefix}`] = path;
  return {
    steps,
    exposure: {
      sinks: inner.steps.filter((e) => !needed.has(e.step.id)).map((e) => `${id}.${e.step.id}`),
      outputs,
    },
    params,
    includes,
  };
}

function fail(context: Context, errors: LilyError[]): undefined {
  context.errors.push(...errors);
  return undefined;
}

function escapeError(id: string, given: string, span: Span, how: "absolute" | "up" | "link") {
  const why = how === "absolute"
    ? "is an absolute path"
    : how === "up"
    ? "leaves the project"
    : "is a symbolic link to a file outside the project";
  return new LilyError("LILY-E0972", `include \`${id}\`: the fragment \`${given}\` ${why}`, {
    span,
    label: "outside the project",
    hint:
      "a fragment is a file of this project, named relative to the including file; copy it into the project",
  });
}

/** What rendering the fragment recorded, merged into the workflow's (ids under `ns`). */
function mergeEffects(into: RenderEffects, from: RenderEffects, ns: string): void {
  const moved = (where: string) => {
    const [list, ...rest] = where.split(".");
    return list === "steps" || list === "on_error"
      ? [list, `${ns}${rest.join(".")}`].join(".")
      : `${ns}${where}`;
  };
  for (const entry of from.nondeterministic) {
    into.nondeterministic.push({ kind: entry.kind, where: moved(entry.where) });
  }
  for (const name of from.envReads) into.envReads.add(name);
  into.usedClock ||= from.usedClock;
  for (const [id, code] of from.shellCode) into.shellCode.set(`${ns}${id}`, code);
  for (const [text, tree] of from.parsedScripts) into.parsedScripts.set(text, tree);
}

async function realPath(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}
