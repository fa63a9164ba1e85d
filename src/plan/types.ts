/**
 * The plan stage's shared shapes: what the planner is given, what it returns, and what the
 * parts of a step's resolution pass along. Types only.
 * @module
 */
import type { Span } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { LilyRc, Petal, Step, ValueType } from "../schema/petal.ts";
import type { Dag } from "./dag.ts";
import type { TemplateReads } from "./template_refs.ts";
import type { WorkflowOutput } from "./workflow_outputs.ts";

/** What the planner needs besides the workflow. */
export interface PlanInputs {
  petal: Petal;
  raw: unknown;
  paramTypes: Record<string, ValueType>;
  rc: LilyRc;
  /** What the templates read (for `cache.refs`); absent when nothing was rendered. */
  templateReads?: TemplateReads;
}

/** The resolved plan (the lock's `plan` block). */
export interface Plan {
  levels: string[][];
  steps: LockStep[];
  on_error: LockStep[];
  /** The workflow's `outputs:`, checked and normalized (`{name: {from, type}}` per entry). */
  outputs: Record<string, WorkflowOutput>[];
}

/** A list of steps planned: its DAG, resolved steps and where each came from. */
export interface Planned {
  dag: Dag;
  steps: LockStep[];
  sources: Map<string, { step: Step; index: number }>;
}

/** Locates a path of the merged source (a key with `key`), lazily. */
export type Where = (path: (string | number)[], key?: boolean) => Span | undefined;
