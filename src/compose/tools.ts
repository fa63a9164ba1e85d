/**
 * Compose's part of `tool` steps: loads the project's `adapters/<adapter>.yaml` for each
 * adapter a tool step runs on (once per compose), checks its declarations and each tool step
 * against them (steps/tool.ts), and gives the lock's `registry_pins.tools`. The declaring
 * files join the lock's sources (role `tools`), so `lily verify` sees them change. Reads files
 * only; never starts a tool (that is `lily sync`).
 * @module
 */
import { join, relative } from "node:path";
import { LilyError, LilyErrors, sortBySource } from "../errors.ts";
import type { ToolPin } from "../schema/lock.ts";
import type { Petal } from "../schema/petal.ts";
import { loadSource } from "../source/load.ts";
import { findBinary, isProjectTool } from "../sync/pins.ts";
import { lazyLocate } from "../source/locate.ts";
import { planToolStep } from "../steps/tool.ts";
import { readToolDecls, type ToolDecl } from "../steps/tool_decl.ts";
import type { Resolved } from "./resolve.ts";

/** What compose gets back: errors of the pass, and the pins of the tools the steps use. */
export interface ComposedTools {
  errors: LilyError[];
  /** Rethrows the plan's errors with these beside them (one pass, in source order). */
  besidePlanErrors(error: unknown): never;
  /** `registry_pins` additions (`{tools: …}`, or nothing when no step uses a tool). */
  pins(
    binaries: Record<string, { path: string; sha256: string | null }>,
  ): { tools?: Record<string, Record<string, ToolPin>> };
}

/** The file declaring an adapter's tools, relative to the project root. */
export function toolsFileOf(adapter: string): string {
  return `adapters/${adapter}.yaml`;
}

/**
 * Checks and rewrites every `tool` step of `petal` (rendered; changed in place) against the
 * declarations of its adapter's file. Tool steps on `adapter: http` are left to that adapter.
 */
export async function composeTools(
  petal: Petal,
  resolved: Resolved,
  options: { cwd?: string } = {},
): Promise<ComposedTools> {
  const errors: LilyError[] = [];
  const used = new Map<string, ToolDecl>();
  const files = new Map<string, Map<string, ToolDecl> | string | null>();
  // Each adapter's file as read (for positions in it).
  const raws = new Map<string, unknown>();
  const rc = resolved.project.rc;
  const all = [...petal.steps, ...(petal.on_error ?? [])];
  const adapterOf = (step: Petal["steps"][number]) => step.adapter ?? "process";
  for (const step of all) {
    const adapter = adapterOf(step);
    if (step.uses !== "tool" || adapter === "http" || files.has(adapter)) continue;
    files.set(
      adapter,
      await loadTools(adapter, resolved, options.cwd ?? Deno.cwd(), errors, raws),
    );
  }
  // The file a step's output names, before any tool step is rewritten (order does not matter).
  const outputPaths = new Map<string, string>();
  for (const step of all) {
    for (const [name, io] of Object.entries(step.outputs ?? {})) {
      if (io.path !== undefined) outputPaths.set(`${step.id}\u0000${name}`, io.path);
    }
    const tools = files.get(adapterOf(step));
    const args = (step.with?.args ?? {}) as Record<string, unknown>;
    const decl = step.uses === "tool" && tools instanceof Map
      ? tools.get(String(step.with?.tool))
      : undefined;
    for (const [name, arg] of Object.entries(decl?.args ?? {})) {
      const value = args[name];
      if (arg.role === "output" && typeof value === "string") {
        outputPaths.set(`${step.id}\u0000${name}`, value);
      }
    }
  }
  // Tool steps whose outputs cannot be known (no declarations, an unknown tool): a step
  // reading them is not told they are missing — the tool step's own errors say why.
  const unresolved = new Set<string>();
  for (const step of all) {
    if (step.uses !== "tool" || adapterOf(step) === "http") continue;
    const tools = files.get(adapterOf(step));
    if (!(tools instanceof Map) || !tools.has(String(step.with?.tool))) unresolved.add(step.id);
  }
  const toolSteps = new Map<string, { decl?: ToolDecl }>();
  for (const list of ["steps", "on_error"] as const) {
    for (const [index, step] of (petal[list] ?? []).entries()) {
      const adapter = adapterOf(step);
      if (step.uses !== "tool" || adapter === "http") continue;
      const tools = files.get(adapter)!;
      // A file with errors was reported; its steps are checked once it is fixed.
      if (tools === null) continue;
      const before = errors.length;
      const decl = planToolStep(step, {
        where: (path, key) => lazyLocate(resolved.raw, [list, index, ...path], { key }),
        tools,
        readRoots: rc.read_roots ?? ["."],
        writeRoots: rc.write_roots ?? ["."],
        outputPath: (id, name) => outputPaths.get(`${id}\u0000${name}`),
        unresolved: (id) => unresolved.has(id),
        outputNames: (id) =>
          [...outputPaths.keys()].filter((k) => k.startsWith(`${id}\u0000`)).map((k) =>
            k.slice(id.length + 1)
          ),
      }, errors);
      // Not rewritten: its tool-derived outputs are not on the step for the plan to see.
      if (errors.length > before) unresolved.add(step.id);
      toolSteps.set(step.id, {
        decl: tools instanceof Map ? tools.get(String(step.with?.tool)) : undefined,
      });
      if (decl && !used.has(`${adapter}\u0000${decl.name}`)) {
        const missing = missingBinary(decl, resolved.project.root, raws.get(adapter));
        if (missing) errors.push(missing);
      }
      if (decl) used.set(`${adapter}\u0000${decl.name}`, decl);
    }
  }
  return {
    errors,
    besidePlanErrors(error: unknown): never {
      const plan = error instanceof LilyErrors
        ? error.errors
        : error instanceof LilyError
        ? [error]
        : undefined;
      if (plan === undefined) throw error;
      const kept = plan.flatMap((e) => {
        const missing = missingOutput(e);
        if (!missing) return [e];
        // Consequent: the tool step's own errors are reported; its outputs are unknown.
        if (unresolved.has(missing.step)) return [];
        const tool = toolSteps.get(missing.step);
        const arg = tool?.decl?.args[missing.output];
        if (!tool?.decl || arg?.role !== "output") return [e];
        // The tool declares this output: the step has not given the argument that writes it.
        return [
          new LilyError(e.code, e.message, {
            span: e.span,
            label: e.label,
            notes: e.notes,
            hint:
              `\`${missing.output}\` is an output argument of tool \`${tool.decl.name}\`: give it on step \`${missing.step}\` (\`with: {args: {${missing.output}: <path>}}\`)`,
          }),
        ];
      });
      if (
        errors.length === 0 && kept.length === plan.length && kept.every((e, i) => e === plan[i])
      ) throw error;
      const all = sortBySource([...kept, ...errors]);
      if (all.length === 0) throw error;
      if (all.length === 1) throw all[0];
      throw new LilyErrors(all);
    },
    pins(binaries) {
      if (used.size === 0) return {};
      const tools: Record<string, Record<string, ToolPin>> = {};
      for (const decl of used.values()) {
        const version = {
          constraint: decl.version.constraint,
          version_args: decl.version.args,
          version_pattern: decl.version.pattern,
          version: null,
        };
        const pin: ToolPin = decl.image !== undefined
          ? { image: decl.image, digest: null, ...version }
          : {
            binary: decl.binary!,
            path: binaries[decl.binary!]?.path ?? decl.binary!,
            sha256: binaries[decl.binary!]?.sha256 ?? null,
            ...version,
          };
        (tools[decl.adapter] ??= {})[decl.name] = pin;
      }
      return { tools };
    },
  };
}

/**
 * A process tool whose binary is not on this machine, at its `binary:` in the .yaml (compose
 * pins it next; without this the pin error names neither the tool nor the line).
 */
function missingBinary(decl: ToolDecl, root: string, raw: unknown): LilyError | undefined {
  if (decl.image !== undefined || decl.binary === undefined) return undefined;
  const binary = decl.binary;
  let found: boolean;
  if (isProjectTool(binary)) {
    try {
      const stat = Deno.statSync(join(root, binary));
      found = stat.isFile && ((stat.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      found = false;
    }
  } else found = findBinary(binary) !== undefined;
  if (found) return undefined;
  return new LilyError(
    "LILY-E0958",
    `tool \`${decl.name}\`: its binary \`${binary}\` is not installed here`,
    {
      span: lazyLocate(raw, ["tools", decl.name, "binary"]),
      label: isProjectTool(binary) ? "no executable file at this path" : "not found on PATH",
      hint: isProjectTool(binary)
        ? "a name with a `/` is a project tool: an executable file at that path relative to the project root (`chmod +x` it)"
        : `install \`${binary}\`, or name the program by its absolute path`,
    },
  );
}

/** The step and output an E0608 ("step `X` declares no output `Y`") is about. */
function missingOutput(error: LilyError): { step: string; output: string } | undefined {
  if (error.code !== "LILY-E0608") return undefined;
  const m = /^step `([^`]+)` declares no output `([^`]+)`$/.exec(error.message);
  return m ? { step: m[1], output: m[2] } : undefined;
}

/** The declarations of one adapter's file, why there are none, or null after its errors. */
async function loadTools(
  adapter: string,
  resolved: Resolved,
  cwd: string,
  errors: LilyError[],
  raws: Map<string, unknown>,
): Promise<Map<string, ToolDecl> | string | null> {
  const file = toolsFileOf(adapter);
  const path = join(resolved.project.root, file);
  try {
    if (!(await Deno.stat(path)).isFile) return `${file} is not a file`;
  } catch {
    return `the project has no ${file}`;
  }
  let doc;
  try {
    doc = await loadSource(relative(cwd, path) || path, { path });
  } catch (error) {
    if (error instanceof LilyError) errors.push(error);
    else if (error instanceof LilyErrors) errors.push(...error.errors);
    else throw error;
    return null;
  }
  if (!resolved.sources.some((s) => s.path === path)) {
    resolved.sources.push({ path, role: "tools", sha256: doc.sha256 });
  }
  raws.set(adapter, doc.data);
  const before = errors.length;
  const decls = readToolDecls(
    doc.data,
    { adapter, file, strictTop: adapter === "process" },
    errors,
  );
  return errors.length > before ? null : decls;
}
