/**
 * The plan stage's shared shapes: what the planner is given, what it returns, and what the
 * parts of a step's resolution pass along. Types only.
 * @module
 */
import type { Span } from "../errors.ts";
import type { LockStep } from "../schema/lock.ts";
import type { IODecl, LilyRc, Petal, Step, ValueType } from "../schema/petal.ts";
import type { List } from "../shell/ast.ts";
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
  /** Scripts already parsed by rendering's taint check, by text (parsed here otherwise). */
  parsedScripts?: ReadonlyMap<string, List>;
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

/** Which list of the workflow a step is in. */
export type StepList = "steps" | "on_error";

/** What resolving one step needs to know about the rest of the workflow. */
export interface StepContext {
  inputs: PlanInputs;
  list: StepList;
  /** The step's path in the merged source (`[list, index]`). */
  path: (string | number)[];
  /** The DAG of the step's own list. */
  dag: Dag;
  /** For an `on_error` step: the DAG of `steps:`, whose outputs it may read. */
  mainDag?: Dag;
  /** The declared outputs of every step the list can read from, by id. */
  outputsOf: Map<string, Record<string, IODecl>>;
  where: Where;
}
