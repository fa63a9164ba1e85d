/**
 * The front pipeline, `compose`: sources → one lock per sweep point. Runs the front stages in
 * order: resolve sources (extends/overlays/profile) → validate → params → render → plan → lock.
 * The only module that imports every front stage; the stages import the schema and earlier
 * stages, never this file (the CLI and mod.ts call it). Writes nothing; the caller decides
 * where the text goes.
 * @module
 */
import { basename, dirname, relative, resolve } from "node:path";
import { LilyError, LilyErrors, type Span } from "./errors.ts";
import { sha256Hex } from "./util/canonical_json.ts";
import { composer, executionContract, lockText, sealLock } from "./lock/build.ts";
import { buildPlan } from "./plan/build.ts";
import { undeclaredReads } from "./plan/undeclared_reads.ts";
import type { LockFile, LockParam } from "./schema/lock.ts";
import { type Petal, Petal as PetalSchema, type ValueType } from "./schema/petal.ts";
import { validate } from "./schema/validate.ts";
import { ensureLocator, lazyLocate } from "./source/locate.ts";
import { pythonPackagePins } from "./steps/python.ts";
import { dockerErrors, dockerImagePins } from "./steps/docker_checks.ts";
import { pythonFileErrors } from "./steps/python_file_check.ts";
import { httpStepErrors } from "./steps/http.ts";
import { declareGateOutputs, humanStepErrors } from "./steps/human.ts";
import { unsupportedInSource } from "./steps/support.ts";
import { composeTools } from "./compose/tools.ts";
import {
  checkChoices,
  coerceCliValue,
  expandSweeps,
  pointLabel,
  unknownParam,
} from "./compose/params.ts";
import { paramSchemaErrors } from "./compose/param_schemas.ts";
import { renderPetal } from "./compose/render.ts";
import { expandForeach, foldItemErrors, unexpandedForeach } from "./compose/foreach.ts";
import { finishForeach } from "./plan/foreach_finish.ts";
import { hasIncludes, inlineIncludes, recordIncludes } from "./compose/include.ts";
import { secretSideDoors } from "./compose/secret_doors.ts";
import { baseParamValues, paramErrorsBeside } from "./compose/param_values.ts";
import { type Resolved, resolveSources } from "./compose/resolve.ts";

/** Options for {@linkcode composeSources}. */
export interface ComposeOptions {
  /** Profile name (`profiles/<name>.yaml`); defaults to `.lilyrc`'s `profile`. */
  profile?: string;
  /** Overlay files applied after the workflow's own overlays (paths relative to `cwd`). */
  overlays?: string[];
  /** `-p key=value` overrides, as typed on the command line. */
  params?: Record<string, string>;
  /** `-m key=a,b` sweeps: one lock per point of the cartesian product. */
  sweep?: Record<string, string[]>;
  /** Where the lock goes: a file (one point) or a directory (sweeps). Default: `<root>/locks/`. */
  output?: string;
  cwd?: string;
  /** Host environment lookup (templates' `env` filter, SOURCE_DATE_EPOCH). */
  getEnv?: (name: string) => string | undefined;
}

/** One composed lock. */
export interface ComposedPoint {
  lock: LockFile;
  /** The lock's canonical text. */
  text: string;
  /** Absolute path the lock belongs at. */
  outputPath: string;
  projectRoot: string;
  /** The sweep values of this point, or null without sweeps. */
  sweep: Record<string, string> | null;
  /** Problems that do not stop compose (an ignored .lilyrc, undeclared reads), positioned. */
  warnings: LilyError[];
}

/**
 * Composes `sources` (a workflow, then overlays) into locks.
 *
 * @example
 * ```ts ignore
 * import { composeSources } from "./pipeline.ts";
 * const [point] = await composeSources(["examples/hello/hello.petal"], { params: { who: "you" } });
 * console.log(point.lock.spec_hash);
 * ```
 */
export async function composeSources(
  sources: string[],
  options: ComposeOptions = {},
): Promise<ComposedPoint[]> {
  try {
    return await composeUnchecked(sources, options);
  } catch (caught) {
    // An error in a foreach's inner step is reported once, not once per item.
    const error = caught instanceof LilyErrors ? foldItemErrors(caught) : caught;
    // Errors carry lazily resolved positions: load the locator before anyone reads them.
    if (error instanceof LilyError || error instanceof LilyErrors) await ensureLocator();
    throw error;
  }
}

async function composeUnchecked(
  sources: string[],
  options: ComposeOptions,
): Promise<ComposedPoint[]> {
  if (sources.length === 0) {
    throw new LilyError("LILY-E0002", "no workflow given", {
      hint: "pass a .petal file: `lily compose flows/hello.petal`",
    });
  }
  const cwd = options.cwd ?? Deno.cwd();
  const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
  const resolved = await resolveSources(sources[0], {
    overlays: [...sources.slice(1), ...(options.overlays ?? [])],
    profile: options.profile,
    cwd,
  });
  let petal: Petal;
  try {
    petal = validate(PetalSchema, resolved.raw, {
      what: "workflow",
      file: resolved.flowFile,
      alongside: unsupportedInSource(resolved.raw, (path) => lazyLocate(resolved.raw, path)),
    });
  } catch (error) {
    // Params do not depend on the rest of the document: report their errors in the same round.
    if (!(error instanceof LilyErrors) || error.errors[0]?.code === "LILY-E0213") throw error;
    throw new LilyErrors([...error.errors, ...paramErrorsBeside(resolved, options.params ?? {})]);
  }
  const params = petal.params ?? {};
  const paramTypes: Record<string, ValueType> = {};
  for (const [name, p] of Object.entries(params)) paramTypes[name] = p.type;
  const baseValues = baseParamValues(petal, resolved);
  // Secret side doors (resources.env, if: env.X, template_env) are refused before rendering.
  const doors = secretSideDoors(petal, resolved.raw, resolved.project);
  if (doors.length) {
    await ensureLocator();
    throw new LilyErrors(doors);
  }

  const sweep = options.sweep ?? {};
  for (const key of Object.keys(sweep)) {
    if (!params[key]) throw unknownParam(key, Object.keys(params), { flag: `-m ${key}=…` });
  }
  const points = expandSweeps(sweep);
  const isSweep = Object.keys(sweep).length > 0;
  const epochText = getEnv("SOURCE_DATE_EPOCH");
  const sourceDateEpoch = epochText && /^\d+$/.test(epochText)
    ? Number(epochText)
    : Math.floor(Date.now() / 1000);

  const results: ComposedPoint[] = [];
  let pins:
    | Record<string, { path: string; sha256: string | null; version: string | null }>
    | undefined;
  for (const point of points) {
    const overrides = { ...(options.params ?? {}), ...point };
    const values = { ...baseValues };
    for (const [name, raw] of Object.entries(overrides)) {
      const param = params[name];
      const flag = name in point ? `-m ${name}=${raw}` : `-p ${name}=${raw}`;
      if (!param) throw unknownParam(name, Object.keys(params), { flag });
      values[name] = coerceCliValue(name, param.type, raw, { flag });
      checkChoices(name, param, values[name], { flag });
    }
    const missing = Object.entries(params).filter(([name, p]) =>
      p.type !== "secret" && p.required && values[name] === undefined
    );
    if (missing.length) {
      throw new LilyErrors(
        missing.map(([name, p]) =>
          new LilyError("LILY-E0303", `param \`${name}\` is required but has no value`, {
            span: lazyLocate(resolved.raw, ["params", name], { key: true }),
            hint: `pass \`-p ${name}=${
              p.choices?.length ? String(p.choices[0]) : `<${p.type}>`
            }\`, set it in a profile, or give it a \`default:\``,
          })
        ),
      );
    }
    const secretParams = new Set(
      Object.entries(params).filter(([, p]) => p.type === "secret").map(([n]) => n),
    );
    const visible: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      if (!secretParams.has(name)) visible[name] = value ?? null;
    }
    // foreach steps → one sub-step per item known now (compose/foreach.ts).
    const expanded = await expandForeach(petal, resolved.raw, {
      params: visible,
      secretParams,
      varValue: async (name) => {
        const text = String(petal.vars?.[name] ?? "");
        if (!/\{[{%#]/.test(text)) return text;
        const only = await renderPetal({ ...petal, steps: [], on_error: [] }, resolved.raw, {
          params: visible,
          secretParams,
          templateEnv: [...(resolved.project.rc.template_env ?? [])].sort(),
          getEnv,
          projectRoot: resolved.project.root,
          sourceDateEpoch,
        });
        return only.petal.vars?.[name];
      },
    });
    const pointRaw = expanded?.raw ?? resolved.raw;
    const pointResolved = expanded ? { ...resolved, raw: pointRaw } : resolved;
    const rendered = await renderPetal(expanded?.petal ?? petal, pointRaw, {
      params: visible,
      secretParams,
      templateEnv: [...(resolved.project.rc.template_env ?? [])].sort(),
      getEnv,
      projectRoot: resolved.project.root,
      sourceDateEpoch,
      locals: expanded?.locals,
    });
    // `uses: include` steps become their fragments' steps (compose/include.ts).
    const inc = hasIncludes(rendered.petal)
      ? await inlineIncludes(rendered, pointResolved, {
        cwd,
        render: { templateEnv: [...(resolved.project.rc.template_env ?? [])].sort(), getEnv },
        sourceDateEpoch,
      })
      : undefined;
    if (inc) rendered.petal = inc.petal;
    const raw = inc?.raw ?? pointRaw;
    // Tool steps: checked against adapters/<adapter>.yaml, their argv built (compose/tools.ts).
    const tools = await composeTools(
      rendered.petal,
      inc ? { ...pointResolved, raw } : pointResolved,
      {
        cwd,
      },
    );
    declareGateOutputs(rendered.petal); // a human gate's typed output `answer`
    const plan = await buildPlan({
      petal: rendered.petal,
      raw,
      paramTypes: inc ? { ...paramTypes, ...inc.paramTypes } : paramTypes,
      rc: resolved.project.rc,
      templateReads: {
        reads: rendered.effects.reads,
        params: visible,
        vars: rendered.petal.vars ?? {},
      },
      parsedScripts: rendered.effects.parsedScripts,
    }).catch(tools.besidePlanErrors);
    if (expanded) finishForeach(plan, expanded.foreach, resolved.project.rc.cache?.salt);
    const badValues = await paramSchemaErrors(rendered.petal, raw, {
      values: visible,
      overrides,
    });
    // A python step's script must exist now, not first at run (a typo composes otherwise).
    badValues.push(...pythonFileErrors(rendered.petal, raw, resolved.project.root));
    badValues.push(...dockerErrors(rendered.petal, raw));
    badValues.push(...httpStepErrors(plan, raw));
    badValues.push(...humanStepErrors(rendered.petal, raw));
    badValues.push(...tools.errors);
    if (inc) badValues.push(...unexpandedForeach(rendered.petal, raw));
    if (badValues.length) throw new LilyErrors(badValues);
    // Code inserted by `| shell_code` is listed on its step, for review (lock, explain).
    for (const step of [...plan.steps, ...plan.on_error]) {
      const code = rendered.effects.shellCode.get(step.id);
      if (code?.length) step.shell_code = code;
    }
    const outputPath = outputPathFor(resolved, options.output, isSweep ? point : null, cwd);
    const binaries = new Set<string>(resolved.project.rc.allowed_binaries ?? []);
    for (const step of [...plan.steps, ...plan.on_error]) {
      for (const b of step.resources.binaries) binaries.add(b);
    }
    pins ??= binaries.size
      ? await (await import("./sync/pins.ts")).resolvePins([...binaries], {
        root: resolved.project.root,
      })
      : {};
    const lock = assemble({
      petal: rendered.petal,
      resolved,
      plan,
      values: inc ? { ...values, ...inc.values } : values,
      overrides: options.params ?? {},
      point: isSweep ? point : null,
      effects: rendered.effects,
      sourceDateEpoch,
      getEnv,
      outputPath,
      cliOverlays: [...sources.slice(1), ...(options.overlays ?? [])],
      cwd,
      pins: pins ?? {},
    });
    Object.assign(lock.registry_pins, tools.pins(pins ?? {})); // outside spec_hash, as every pin
    if (inc) recordIncludes(lock, inc, resolved.project.root); // provenance: fragments, prefixes
    results.push({
      lock,
      text: lockText(lock),
      outputPath,
      projectRoot: resolved.project.root,
      sweep: isSweep ? point : null,
      warnings: [
        ...resolved.project.warnings,
        ...undeclaredReads(rendered.petal, raw, resolved.project.root, {
          parsedScripts: rendered.effects.parsedScripts,
        }),
      ],
    });
  }
  return results;
}

function outputPathFor(
  resolved: Resolved,
  output: string | undefined,
  point: Record<string, string> | null,
  cwd: string,
): string {
  const stem = basename(resolved.flowFile);
  const name = point ? `${stem}.${pointLabel(point)}.lock.yaml` : `${stem}.lock.yaml`;
  if (output && output !== "-") {
    const abs = resolve(cwd, output);
    return point ? resolve(abs, name) : abs;
  }
  const dir = resolve(resolved.project.root, resolved.project.rc.locks_dir ?? "locks");
  return resolve(dir, name);
}

interface AssembleInputs {
  petal: Petal;
  resolved: Resolved;
  plan: Awaited<ReturnType<typeof buildPlan>>;
  values: Record<string, unknown>;
  overrides: Record<string, string>;
  point: Record<string, string> | null;
  effects: Awaited<ReturnType<typeof renderPetal>>["effects"];
  sourceDateEpoch: number;
  getEnv: (name: string) => string | undefined;
  outputPath: string;
  cliOverlays: string[];
  cwd: string;
  pins: Record<string, { path: string; sha256: string | null; version: string | null }>;
}

function posix(path: string): string {
  return path.replaceAll("\\", "/");
}

function assemble(inputs: AssembleInputs): LockFile {
  const { petal, resolved, plan, values } = inputs;
  const rc = resolved.project.rc;
  const root = resolved.project.root;
  const lockParams: Record<string, LockParam> = {};
  for (const [name, param] of Object.entries(petal.params ?? {})) {
    if (param.type === "secret") {
      lockParams[name] = {
        type: "secret",
        secret: true,
        source: param.source ?? `env:LILY_SECRET_${name.toUpperCase()}`,
        required: param.required ?? true,
      };
    } else {
      lockParams[name] = { type: param.type, value: values[name] ?? null } as LockParam;
    }
  }
  const binaries = new Set<string>(rc.allowed_binaries ?? []);
  for (const step of [...plan.steps, ...plan.on_error]) {
    for (const b of step.resources.binaries) binaries.add(b);
  }
  const secretsSources = new Set<string>(["env"]);
  for (const p of Object.values(lockParams)) {
    if ("secret" in p && p.source.startsWith("keyring:")) secretsSources.add("keyring");
  }
  const envReads: Record<string, string> = {};
  for (const name of [...inputs.effects.envReads].sort()) {
    const value = inputs.getEnv(name);
    envReads[name] = value === undefined ? "unset" : `sha256:${sha256Hex(value)}`;
  }
  const sources = inputs.resolved.sources.map((s) => ({
    path: posix(relative(root, s.path)),
    role: s.role,
    sha256: `sha256:${s.sha256}`,
  }));
  const stringMap = (m: Record<string, unknown> | undefined) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(m ?? {})) out[k] = String(v);
    return out;
  };
  const artifacts = {
    backend: "local",
    root: ".lily/artifacts",
    ...(petal.artifacts ?? {}),
  } as LockFile[
    "artifacts"
  ];
  return sealLock({
    schema_version: "1",
    petal_version: "1",
    name: petal.name,
    ...(petal.description ? { description: petal.description } : {}),
    provenance: {
      project_root: posix(relative(dirname(inputs.outputPath), root)) || ".",
      composer: composer(),
      sources,
      profile: resolved.profile,
      policy: resolved.project.rcSource ? ".lilyrc" : "defaults",
      overlays: inputs.cliOverlays.map((o) => posix(relative(root, resolve(inputs.cwd, o)))),
      overrides: Object.fromEntries(Object.entries(inputs.overrides).sort()),
      sweep: inputs.point,
      nondeterministic: inputs.effects.nondeterministic,
      clock: inputs.effects.usedClock ? inputs.sourceDateEpoch : null,
      env_reads: envReads,
    },
    execution_contract: executionContract(),
    env_policy: {
      network_default: rc.network_default ?? false,
      allowed_binaries: [...binaries].sort(),
      secrets_sources: [...secretsSources].sort(),
      read_roots: [...(rc.read_roots ?? ["."])].sort(),
      write_roots: [...(rc.write_roots ?? ["."])].sort(),
      template_env: [...(rc.template_env ?? [])].sort(),
    },
    artifacts,
    registry_pins: {
      binaries: inputs.pins,
      images: dockerImagePins([...plan.steps, ...plan.on_error]),
      models: {},
      ...pythonPackagePins([...plan.steps, ...plan.on_error]),
    },
    params: lockParams,
    env: stringMap(petal.env),
    vars: stringMap(petal.vars),
    plan: {
      levels: plan.levels,
      steps: plan.steps,
      on_error: plan.on_error,
      outputs: plan.outputs,
    },
  });
}

/** The position of the first `key:` in the file at `path` (its start when it cannot tell). */
function spanOfKey(path: string, key: string): Span {
  try {
    const lines = Deno.readTextFileSync(path).split("\n");
    const index = lines.findIndex((l) => l.trimStart().startsWith(`${key}:`));
    if (index >= 0) {
      const col = lines[index].length - lines[index].trimStart().length + 1;
      return { file: path, line: index + 1, col, length: key.length };
    }
  } catch {
    // the caller already read this lock; a vanished file only loses the excerpt
  }
  return { file: path, line: 1, col: 1 };
}

/** Composes a lock's sources again, replaying its profile, overrides, sweep point and clock. */
export async function recomposeLock(
  lockPath: string,
  lock: LockFile,
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Promise<LockFile> {
  const root = resolve(dirname(resolve(lockPath)), lock.provenance.project_root);
  const flow = lock.provenance.sources.find((s) => s.role === "flow");
  if (!flow) {
    throw new LilyError(
      "LILY-E0212",
      `\`${lockPath}\` names no \`flow\` source, so it cannot be composed again`,
      {
        span: spanOfKey(lockPath, "sources"),
        hint: "the lock was edited by hand; compose it again from its .petal with `lily compose`",
      },
    );
  }
  const clock = lock.provenance.clock;
  const [point] = await composeSources([resolve(root, flow.path)], {
    profile: lock.provenance.profile ?? undefined,
    overlays: lock.provenance.overlays.map((o) => resolve(root, o)),
    params: { ...lock.provenance.overrides, ...(lock.provenance.sweep ?? {}) },
    output: resolve(lockPath),
    getEnv: (name) => name === "SOURCE_DATE_EPOCH" && clock !== null ? String(clock) : getEnv(name),
  });
  return point.lock;
}
