/**
 * The merge rules of composition: maps deep-merge (right-most wins), lists are replaced unless
 * tagged `!append`, step lists merge by `id`, and `!replace` replaces a map wholesale. Values
 * keep their origins so errors after a merge still point at the file that set them.
 * @module
 */
import { LilyError } from "../errors.ts";
import { AppendList, ReplaceMap } from "../source/load.ts";
import { locate } from "../source/locate.ts";
import { type Origin, originOf, originOfKey, setKeyOrigin, setOrigin } from "../source/origin.ts";

type Map = Record<string, unknown>;

/** Keys whose lists hold steps, merged by `id`. */
const STEP_LISTS = new Set(["steps", "on_error"]);

function isMap(value: unknown): value is Map {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof AppendList) && !(value instanceof ReplaceMap);
}

function shape(value: unknown): string {
  if (value instanceof AppendList || Array.isArray(value)) return "a list";
  if (value instanceof ReplaceMap || isMap(value)) return "a map";
  return "a value";
}

/**
 * Merges `patch` over `base` (neither is modified). `path` is where they sit in the document
 * (for step-list detection and messages).
 *
 * @example
 * ```ts
 * import { assert } from "../../tests/_assert.ts";
 * import { mergeDocs } from "./merge.ts";
 * const merged = mergeDocs({ env: { A: "1", B: "2" } }, { env: { B: "3" } });
 * assert(JSON.stringify(merged) === '{"env":{"A":"1","B":"3"}}');
 * ```
 */
export function mergeDocs(base: unknown, patch: unknown, path: string[] = []): unknown {
  if (patch instanceof ReplaceMap) return finalize(patch.value);
  if (patch instanceof AppendList) {
    if (base !== undefined && base !== null && !Array.isArray(base)) {
      throw conflict(path, base, patch);
    }
    if (STEP_LISTS.has(path[path.length - 1]) && path.length === 1) {
      return appendSteps((base as unknown[] | undefined) ?? [], patch);
    }
    const out = [...((base as unknown[] | undefined) ?? []), ...patch.items.map(finalize)];
    const origin = (Array.isArray(base) && originOf(base)) || originOf(patch.items);
    if (origin) setOrigin(out, origin);
    (base as unknown[] | undefined ?? []).forEach((_, i) => {
      const o = originOfKey(base as unknown[], i);
      if (o) setKeyOrigin(out, i, o);
    });
    const offset = (base as unknown[] | undefined)?.length ?? 0;
    patch.items.forEach((_, i) => {
      const o = originOfKey(patch.items, i);
      if (o) setKeyOrigin(out, offset + i, o);
    });
    return out;
  }
  if (base === undefined || base === null) return finalize(patch);
  if (patch === undefined) return finalize(base);
  if (isMap(base) && isMap(patch)) return mergeMaps(base, patch, path);
  if (Array.isArray(base) && Array.isArray(patch)) {
    if (STEP_LISTS.has(path[path.length - 1]) && path.length === 1) {
      return mergeSteps(base, patch);
    }
    return finalize(patch);
  }
  if (patch === null) return null;
  if (shape(base) !== shape(patch) && (isMap(base) || isMap(patch) || Array.isArray(base))) {
    throw conflict(path, base, patch);
  }
  return finalize(patch);
}

function mergeMaps(base: Map, patch: Map, path: string[]): Map {
  const out: Map = {};
  for (const key of Object.keys(base)) {
    out[key] = base[key];
    const o = originOfKey(base, key);
    if (o) setKeyOrigin(out, key, o);
  }
  for (const key of Object.keys(patch)) {
    const baseValue = base[key];
    const patchValue = patch[key];
    try {
      out[key] = mergeDocs(baseValue, patchValue, [...path, key]);
    } catch (error) {
      if (error instanceof ConflictSignal) {
        throw conflictError(
          [...path, key],
          originOfKey(base, key),
          originOfKey(patch, key),
          baseValue,
          patchValue,
        );
      }
      throw error;
    }
    const o = originOfKey(patch, key);
    if (o) setKeyOrigin(out, key, o);
  }
  const origin = originOf(patch) ?? originOf(base);
  if (origin) setOrigin(out, origin);
  return out;
}

function stepId(step: unknown): string | undefined {
  const value = step instanceof ReplaceMap ? step.value : step;
  return isMap(value) && typeof value.id === "string" ? value.id : undefined;
}

function mergeSteps(base: unknown[], patch: unknown[]): unknown[] {
  const out = base.map(finalize);
  const origins = base.map((_, i) => originOfKey(base, i));
  const index = new globalThis.Map<string, number>();
  out.forEach((step, i) => {
    const id = stepId(step);
    if (id !== undefined && !index.has(id)) index.set(id, i);
  });
  patch.forEach((step, i) => {
    const id = stepId(step);
    const at = id === undefined ? undefined : index.get(id);
    if (at === undefined) {
      if (id !== undefined) index.set(id, out.length);
      out.push(finalize(step));
      origins.push(originOfKey(patch, i));
      return;
    }
    const previous = out[at] as Map;
    if (step instanceof ReplaceMap) {
      out[at] = finalize(step.value);
      origins[at] = originOfKey(patch, i);
      return;
    }
    const patchStep = step as Map;
    if (
      patchStep.uses !== undefined && previous.uses !== undefined &&
      patchStep.uses !== previous.uses
    ) {
      const before = originOfKey(previous, "uses");
      const after = originOfKey(patchStep, "uses");
      throw new LilyError(
        "LILY-E0302",
        `step \`${id}\` is \`${previous.uses}\` in one source and \`${patchStep.uses}\` in another`,
        {
          span: after ? locate(after) : undefined,
          label: "a patch cannot change a step's kind",
          notes: before ? [{ span: locate(before), message: `\`${id}\` is defined here` }] : [],
          hint: `to replace the whole step, tag it: \`- !replace {id: ${id}, …}\``,
        },
      );
    }
    out[at] = mergeDocs(previous, patchStep, ["steps", String(at)]);
  });
  const result = out;
  origins.forEach((o, i) => o && setKeyOrigin(result, i, o));
  const origin = originOf(patch) ?? originOf(base);
  if (origin) setOrigin(result, origin);
  return result;
}

function appendSteps(base: unknown[], patch: AppendList): unknown[] {
  const seen = new globalThis.Map<string, number>();
  base.forEach((s, i) => {
    const id = stepId(s);
    if (id) seen.set(id, i);
  });
  patch.items.forEach((s, i) => {
    const id = stepId(s);
    if (id && seen.has(id)) {
      const here = originOfKey(patch.items, i);
      const there = originOfKey(base, seen.get(id)!);
      throw new LilyError(
        "LILY-E0314",
        `\`!append\` adds step \`${id}\`, which is already defined`,
        {
          span: here ? locate(here) : undefined,
          notes: there ? [{ span: locate(there), message: `\`${id}\` is first defined here` }] : [],
          hint: "drop `!append` to merge steps by id, or give the new step another id",
        },
      );
    }
  });
  const out = [...base.map(finalize), ...patch.items.map(finalize)];
  base.forEach((_, i) => {
    const o = originOfKey(base, i);
    if (o) setKeyOrigin(out, i, o);
  });
  patch.items.forEach((_, i) => {
    const o = originOfKey(patch.items, i);
    if (o) setKeyOrigin(out, base.length + i, o);
  });
  const origin = originOf(base) ?? originOf(patch.items);
  if (origin) setOrigin(out, origin);
  return out;
}

/** Resolves merge tags left in a value that had nothing under it to merge with. */
export function finalize(value: unknown): unknown {
  if (value instanceof AppendList) {
    const out = value.items.map(finalize);
    const origin = originOf(value.items);
    if (origin) setOrigin(out, origin);
    return out;
  }
  if (value instanceof ReplaceMap) return finalize(value.value);
  if (Array.isArray(value)) {
    if (
      !value.some((v) =>
        v instanceof AppendList || v instanceof ReplaceMap || typeof v === "object"
      )
    ) {
      return value;
    }
    const out = value.map(finalize);
    const origin = originOf(value);
    if (origin) setOrigin(out, origin);
    value.forEach((_, i) => {
      const o = originOfKey(value, i);
      if (o) setKeyOrigin(out, i, o);
    });
    return out;
  }
  if (isMap(value)) {
    let changed = false;
    const out: Map = {};
    for (const key of Object.keys(value)) {
      const v = finalize(value[key]);
      if (v !== value[key]) changed = true;
      out[key] = v;
    }
    if (!changed) return value;
    const origin = originOf(value);
    if (origin) setOrigin(out, origin);
    for (const key of Object.keys(value)) {
      const o = originOfKey(value, key);
      if (o) setKeyOrigin(out, key, o);
    }
    return out;
  }
  return value;
}

class ConflictSignal extends Error {}

function conflict(_path: string[], _base: unknown, _patch: unknown): Error {
  return new ConflictSignal();
}

function conflictError(
  path: string[],
  baseOrigin: Origin | undefined,
  patchOrigin: Origin | undefined,
  base: unknown,
  patch: unknown,
): LilyError {
  const field = path.join(".");
  return new LilyError(
    "LILY-E0301",
    `\`${field}\` is ${shape(base)} in one source and ${shape(patch)} in another`,
    {
      span: patchOrigin ? locate(patchOrigin) : undefined,
      label: `${shape(patch)} here`,
      notes: baseOrigin ? [{ span: locate(baseOrigin), message: `but ${shape(base)} here` }] : [],
      hint:
        `a patch must keep the shape of what it overrides; use \`!replace\` on a map to replace it wholesale`,
    },
  );
}
