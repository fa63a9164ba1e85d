/**
 * One step of the workflow → one lock step: env merged, the command checked, inputs bound,
 * outputs declared, retries and resources frozen, the cache key formed.
 * @module
 */
import { LilyError, LilyErrors } from "../errors.ts";
import type { LockIO, LockStep } from "../schema/lock.ts";
import type { Step } from "../schema/petal.ts";
import { lazyLocate } from "../source/locate.ts";
import { llmStepErrors } from "../steps/llm.ts";
import { planPythonStep } from "../steps/python.ts";
import { pythonAdapterErrors } from "../steps/python_pyodide.ts";
import { parseDuration } from "../util/duration.ts";
import { bindInput } from "./bind_inputs.ts";
import { cacheKeyOf } from "./cache_key.ts";
import { commandErrors, programErrors } from "./check_programs.ts";
import { ioSchemaErrors } from "./io_schema.ts";
import { unsafePath } from "./project_path.ts";
import { templateRefs } from "./template_refs.ts";
import type { StepContext } from "./types.ts";

const DEFAULT_ADAPTER: Record<Step["uses"], LockStep["adapter"]> = {
  shell: "process",
  process: "process",
  python: "process", // runtime `system`: the pinned interpreter, a local program
  llm: "http",
  human: "process",
  foreach: "process",
  include: "process",
  tool: "process",
};

/** Resolves one step; throws every problem found, located. */
export function resolveStep(step: Step, context: StepContext): LockStep {
  const { inputs, list, path, dag, where } = context;
  const errors: LilyError[] = [];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs.petal.env ?? {})) env[k] = String(v);
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = String(v);
  const withBlock = { ...(step.with ?? {}) };
  // A python step: its interpreter is pinned like a binary, its `with.file` is an input.
  const python = step.uses === "python"
    ? planPythonStep(step, withBlock, (p, key) => where([...path, ...p], key), errors, {
      rawCode: rawAt(inputs.raw, [...path, "with", "code"]),
      codeAt: lazyLocate(inputs.raw, [...path, "with", "code"], { content: true }),
    })
    : undefined;
  // `.lilyrc`'s allowed_binaries are every step's: the lock says per step what it may start.
  const binaries = [
    ...new Set([
      ...(inputs.rc.allowed_binaries ?? []),
      ...(step.resources?.binaries ?? []),
      // In a container the interpreter is the image's: nothing of the host to pin.
      ...(step.adapter === "docker" ? [] : python?.binaries ?? []),
    ]),
  ].sort();
  errors.push(...commandErrors(step, { path, withBlock, where }));
  errors.push(...pythonAdapterErrors(step, (p, key) => where([...path, ...p], key)));
  // A container's programs are its image's (steps/docker_checks.ts checks docker steps).
  if (!errors.length && step.adapter !== "docker") {
    const parsed = typeof withBlock.run === "string"
      ? inputs.parsedScripts?.get(withBlock.run)
      : undefined;
    errors.push(...programErrors(step, { path, withBlock, binaries, raw: inputs.raw, parsed }));
  }

  const stepInputs: Record<string, LockIO> = {};
  for (const [name, decl] of Object.entries(step.inputs ?? {})) {
    const io = bindInput({ step, name, decl }, context);
    if (io instanceof LilyError) errors.push(io);
    else stepInputs[name] = io;
  }
  Object.assign(stepInputs, python?.inputs);
  const stepOutputs: Record<string, LockIO> = {};
  for (const [name, decl] of Object.entries(step.outputs ?? {})) {
    if (decl.from !== undefined) {
      errors.push(
        new LilyError("LILY-E0614", `output \`${name}\` of step \`${step.id}\` has \`from:\``, {
          span: where([...path, "outputs", name, "from"], true),
          hint:
            "outputs are written by the step (to $LILY_OUTPUT or their `path:`); `from:` belongs to inputs",
        }),
      );
    }
    if (decl.path !== undefined) {
      const bad = unsafePath(decl.path);
      if (bad) {
        errors.push(
          new LilyError("LILY-E0611", `output path \`${decl.path}\` ${bad}`, {
            span: where([...path, "outputs", name, "path"]),
            hint: "output paths are relative to the project root and stay inside it",
          }),
        );
      }
    }
    stepOutputs[name] = {
      type: decl.type ?? (decl.path !== undefined ? "file" : "str"),
      required: decl.required ?? true,
      ...(decl.path !== undefined ? { path: decl.path } : {}),
      ...(decl.schema !== undefined ? { schema: decl.schema } : {}),
    };
  }
  errors.push(
    ...ioSchemaErrors(step.id, { inputs: stepInputs, outputs: stepOutputs }, { path, where }),
  );
  if (step.uses === "llm") {
    const adapter = step.adapter ?? DEFAULT_ADAPTER.llm;
    const io = { inputs: stepInputs, outputs: stepOutputs };
    const declared = Object.keys(step.inputs ?? {});
    const llm = { id: step.id, adapter, with: withBlock, declared, ...io };
    errors.push(...llmStepErrors(llm, (p, key) => where([...path, ...p], key)));
  }
  if (errors.length) throw new LilyErrors(errors);

  const retries = step.retries;
  const backoff = retries?.backoff ? parseDuration(retries.backoff)! : 1000;
  const maxBackoff = retries?.max_backoff ? parseDuration(retries.max_backoff)! : 30_000;
  const resources = {
    network: step.resources?.network ?? inputs.rc.network_default ?? false,
    binaries,
    env: [...new Set(step.resources?.env ?? [])].sort(),
    ...(step.resources?.cpu !== undefined ? { cpu: step.resources.cpu } : {}),
    ...(step.resources?.memory !== undefined ? { memory: step.resources.memory } : {}),
    ...(step.resources?.gpu !== undefined ? { gpu: step.resources.gpu } : {}),
  };
  const partial = {
    id: step.id,
    uses: step.uses,
    adapter: step.adapter ?? python?.adapter ?? DEFAULT_ADAPTER[step.uses],
    needs: [...(dag.needs.get(step.id) ?? [])].sort(),
    if: null,
    timeout_ms: step.timeout ? parseDuration(step.timeout)! : null,
    retries: {
      max: retries?.max ?? 0,
      backoff_ms: backoff,
      max_backoff_ms: Math.max(maxBackoff, backoff),
      jitter: retries?.jitter ?? true,
    },
    env,
    inputs: stepInputs,
    outputs: stepOutputs,
    resources,
    with: withBlock,
    ...(step.description ? { description: step.description } : {}),
  };
  // A step that receives a secret is not cached unless its `cache.policy` says so (its
  // outputs may hold the secret, and would be restored after the secret rotates).
  const secretIn = Object.values(stepInputs).some((io) => io.type === "secret");
  const policy = step.uses === "human"
    ? "never"
    : step.cache?.policy ?? (secretIn ? "never" : "auto");
  const salt = [inputs.rc.cache?.salt ?? "", step.cache?.salt ?? ""].join("\u0000");
  const cache = cacheKeyOf(partial, policy, salt);
  const refs = inputs.templateReads && templateRefs(inputs.templateReads, `${list}.${step.id}`);
  if (refs && Object.keys(refs).length) cache.refs = refs;
  return { ...partial, level: dag.levelOf.get(step.id)!, cache };
}

/** The source value at `path` in the merged raw data (before rendering), if any. */
function rawAt(raw: unknown, path: (string | number)[]): unknown {
  let node = raw;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
