/**
 * `explain`: a lock as a reader needs it — the DAG by levels, where cache boundaries are and
 * what each key depends on, resources, pins and policy — as text, JSON, Graphviz DOT or
 * Mermaid.
 * @module
 */
import { foreachLines, foreachSummary } from "./foreach_view.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";
import { humanLine } from "../steps/human.ts";
import { llmFacts, llmLine, llmNetwork } from "../steps/llm_explain.ts";
import { toolLine, toolPinLines } from "../steps/tool_explain.ts";
import { includeLines, includeOf } from "./includes.ts";
import { formatDuration } from "../util/duration.ts";

/** Output formats of explain. */
export const EXPLAIN_FORMATS = ["text", "json", "dot", "mermaid"] as const;
/** One of {@linkcode EXPLAIN_FORMATS}. */
export type ExplainFormat = typeof EXPLAIN_FORMATS[number];

/** What a step's cache key depends on, in words. */
export function keyDependencies(step: LockStep): string[] {
  if (step.cache.policy === "never") return ["nothing: cache policy `never` (runs every time)"];
  const deps = ["its definition (command, env, declared I/O, timeout, resources, salt)"];
  for (const [name, io] of Object.entries(step.inputs)) {
    const what = io.type === "file" || io.type === "dir" ? "content" : "value";
    deps.push(`input \`${name}\`: ${what} of ${io.from ? `\`${io.from}\`` : `\`${io.path}\``}`);
  }
  for (const pin of step.cache.pins) deps.push(`pin of \`${pin}\``);
  return deps;
}

/** The JSON form of explain (stable keys; for tools). */
export function explainJson(lock: LockFile): unknown {
  return {
    name: lock.name,
    spec_hash: lock.spec_hash,
    params: Object.fromEntries(
      Object.entries(lock.params).map((
        [k, p],
      ) => [k, "secret" in p ? { secret: true, source: p.source } : p.value]),
    ),
    env_policy: lock.env_policy,
    pins: lock.registry_pins,
    levels: lock.plan.levels,
    includes: lock.provenance.includes ?? {},
    steps: [...lock.plan.steps, ...lock.plan.on_error].map((s) => ({
      id: s.id,
      included_from: includeOf(lock, s.id)?.fragment ?? null,
      uses: s.uses,
      adapter: s.adapter,
      level: s.level,
      on_error: lock.plan.on_error.includes(s),
      needs: s.needs,
      if: s.if?.source ?? null,
      timeout_ms: s.timeout_ms,
      retries: s.retries.max,
      cache: { policy: s.cache.policy, static: s.cache.static, depends_on: keyDependencies(s) },
      inputs: s.inputs,
      outputs: s.outputs,
      resources: s.resources,
      shell_code: s.shell_code ?? [],
      ...(s.uses === "tool" ? { tool: { name: s.with.tool, argv: s.with.argv ?? [] } } : {}),
      ...(foreachSummary(s) ? { foreach: foreachSummary(s) } : {}),
      ...(s.uses === "human" ? { gate: s.with } : {}),
      ...(s.uses === "llm" ? { llm: llmFacts(s, lock.registry_pins.models) } : {}),
    })),
  };
}

/** Options for {@linkcode explainText}. */
export interface ExplainTextOptions {
  color?: boolean;
}

/** The text form of explain. */
export function explainText(lock: LockFile, options: ExplainTextOptions = {}): string {
  const c = (code: string) => (s: string) => options.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  const bold = c("1"), dim = c("2"), cyan = c("36");
  const out: string[] = [];
  out.push(bold(`${lock.name}`) + dim(`  ${lock.spec_hash}`));
  if (lock.description) out.push(lock.description);
  const params = Object.entries(lock.params);
  if (params.length) {
    out.push("", bold("params"));
    for (const [name, p] of params) {
      out.push(
        `  ${name} = ${
          "secret" in p ? `<secret, from ${p.source} at run time>` : JSON.stringify(p.value)
        }`,
      );
    }
  }
  const includes = includeLines(lock);
  if (includes.length) {
    out.push("", bold("includes") + dim(" (id ← fragment: its steps)"), ...includes);
  }
  const policy = lock.env_policy;
  out.push("", bold("policy"));
  out.push(`  network by default: ${policy.network_default ? "on" : "off"}`);
  out.push(
    `  allowed binaries: ${policy.allowed_binaries.join(", ") || "none (shell built-ins only)"}`,
  );
  out.push(
    `  read roots: ${policy.read_roots.join(", ")}   write roots: ${policy.write_roots.join(", ")}`,
  );
  out.push(`  secrets from: ${policy.secrets_sources.join(", ")}`);
  const pins = Object.entries(lock.registry_pins.binaries);
  if (pins.length) {
    out.push("", bold("pins"));
    for (const [name, pin] of pins) {
      out.push(
        `  ${name} → ${pin.path}${pin.sha256 ? `  sha256:${pin.sha256.slice(0, 12)}` : ""}${
          pin.version ? `  (${pin.version})` : ""
        }`,
      );
    }
  }
  const tools = toolPinLines(lock);
  if (tools.length) out.push("", bold("tools"), ...tools);
  const byId = new Map(lock.plan.steps.map((s) => [s.id, s]));
  lock.plan.levels.forEach((level, i) => {
    out.push(
      "",
      bold(`level ${i}`) +
        dim(level.length === 1 ? " (1 step)" : ` (${level.length} steps, run in parallel)`),
    );
    for (const id of level) {
      out.push(...stepLines(byId.get(id)!, cyan, dim, lock.registry_pins.models));
    }
  });
  if (lock.plan.on_error.length) {
    out.push("", bold("on_error") + dim(" (run when the run fails)"));
    for (const step of lock.plan.on_error) {
      out.push(...stepLines(step, cyan, dim, lock.registry_pins.models));
    }
  }
  return out.join("\n");
}

function stepLines(
  step: LockStep,
  cyan: (s: string) => string,
  dim: (s: string) => string,
  models: Record<string, string> = {},
): string[] {
  const out: string[] = [];
  const command = step.uses === "shell"
    ? String(step.with.run ?? "").split("\n")[0]
    : step.uses === "process"
    ? (step.with.argv as string[] | undefined ?? []).join(" ")
    : "";
  out.push(
    `  ${cyan(step.id)}  ${step.uses}${step.adapter !== "process" ? ` via ${step.adapter}` : ""}${
      command ? dim(`  ${truncate(command, 70)}`) : ""
    }`,
  );
  for (const line of foreachLines(step)) out.push(`      ${line}`);
  if (step.needs.length) out.push(`      needs: ${step.needs.join(", ")}`);
  const tool = toolLine(step);
  if (tool) out.push(`      ${tool}`);
  const gate = humanLine(step);
  if (gate) out.push(`      ${gate}`);
  const llm = llmLine(step, models);
  if (llm) out.push(`      ${llm}`);
  for (const code of step.shell_code ?? []) {
    out.push(`      shell code from a template (not escaped): ${code}`);
  }
  if (step.if) {
    out.push(
      `      if: ${step.if.source}${
        step.if.status !== "success" ? dim(` (runs on ${step.if.status})`) : ""
      }`,
    );
  }
  const inputs = Object.entries(step.inputs);
  if (inputs.length) {
    out.push(
      `      inputs: ${
        inputs.map(([n, io]) => `${n} ← ${io.from ?? io.path} (${io.type})`).join(", ")
      }`,
    );
  }
  const outputs = Object.entries(step.outputs);
  if (outputs.length) {
    out.push(
      `      outputs: ${
        outputs.map(([n, io]) => `${n} (${io.type}${io.path ? ` at ${io.path}` : ""})`).join(", ")
      }`,
    );
  }
  const extras: string[] = [];
  if (step.timeout_ms) extras.push(`timeout ${formatDuration(step.timeout_ms)}`);
  if (step.retries.max) extras.push(`retries ${step.retries.max}`);
  const net = step.resources.network;
  extras.push(
    llmNetwork(step) ?? `network ${net === true ? "on" : net === false ? "off" : net.join(",")}`,
  );
  if (step.resources.binaries.length) extras.push(`binaries ${step.resources.binaries.join(",")}`);
  if (step.resources.env.length) extras.push(`env ${step.resources.env.join(",")}`);
  out.push(`      ${extras.join(" · ")}`);
  out.push(
    `      cache: ${step.cache.policy}` +
      (step.cache.policy === "never"
        ? ""
        : dim(` key ${step.cache.static.slice(7, 19)} ← `) + dim(keyDependencies(step).join("; "))),
  );
  return out;
}

function truncate(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + "…" : text;
}

function quoteDot(text: string): string {
  return `"${text.replace(/["\\]/g, "\\$&")}"`;
}

/** Graphviz DOT: solid edges carry data (inputs), dashed edges only order (`needs`). */
export function explainDot(lock: LockFile): string {
  const out = [
    `digraph ${quoteDot(lock.name)} {`,
    "  rankdir=LR;",
    '  node [shape=box, fontname="monospace"];',
  ];
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    const label = `${step.id}\\n${step.uses} · cache ${step.cache.policy}`;
    const style = step.cache.policy === "never" ? ", style=dashed" : "";
    out.push(`  ${quoteDot(step.id)} [label="${label.replace(/"/g, '\\"')}"${style}];`);
  }
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    const dataFrom = new Map<string, string[]>();
    for (const [name, io] of Object.entries(step.inputs)) {
      const up = /^steps\.(.+)\.outputs\.([^.]+)$/.exec(io.from ?? "");
      if (up) dataFrom.set(up[1], [...(dataFrom.get(up[1]) ?? []), `${up[2]}→${name}`]);
    }
    for (const dep of step.needs) {
      const data = dataFrom.get(dep);
      out.push(
        `  ${quoteDot(dep)} -> ${quoteDot(step.id)}${
          data ? ` [label=${quoteDot(data.join(", "))}]` : " [style=dashed]"
        };`,
      );
      dataFrom.delete(dep);
    }
    for (const [dep, data] of dataFrom) {
      out.push(`  ${quoteDot(dep)} -> ${quoteDot(step.id)} [label=${quoteDot(data.join(", "))}];`);
    }
  }
  out.push("}");
  return out.join("\n");
}

/** Mermaid flowchart: `==>` carries data, `-.->` only orders. */
export function explainMermaid(lock: LockFile): string {
  const id = (s: string) => `s_${s.replace(/[^A-Za-z0-9_]/g, "_")}`;
  const out = ["flowchart LR"];
  const node = (step: LockStep) =>
    `${id(step.id)}["${step.id}<br/>${step.uses} · cache ${step.cache.policy}"]`;
  const steps = [...lock.plan.steps, ...lock.plan.on_error];
  for (const step of steps) if (!includeOf(lock, step.id)) out.push(`  ${node(step)}`);
  // Included steps in a box per include, titled with the fragment they came from.
  for (const [prefix, fragment] of Object.entries(lock.provenance.includes ?? {}).sort()) {
    out.push(`  subgraph i_${prefix.replace(/[^A-Za-z0-9_]/g, "_")}["${prefix} ← ${fragment}"]`);
    for (const step of steps) {
      if (includeOf(lock, step.id)?.prefix === prefix) out.push(`    ${node(step)}`);
    }
    out.push("  end");
  }
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    const dataFrom = new Set(
      Object.values(step.inputs).map((io) => /^steps\.(.+)\.outputs\./.exec(io.from ?? "")?.[1])
        .filter(Boolean),
    );
    for (const dep of step.needs) {
      out.push(`  ${id(dep)} ${dataFrom.has(dep) ? "==>" : "-.->"} ${id(step.id)}`);
    }
  }
  return out.join("\n");
}
