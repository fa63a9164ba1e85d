/**
 * The shape of a step kind (`uses:`): one object per kind, in `src/steps/<kind>.ts`,
 * registered in `EXECUTORS` (mod.ts). Compose accepts exactly the registered kinds; plan
 * calls `check` on each step of the kind; the engine calls `build` for each attempt and hands
 * the result to the step's adapter. docs/extending.md shows how to add one.
 * @module
 */
import type { LilyError, Span } from "../errors.ts";
import type { ExecSpec } from "../sandbox/execute.ts";
import type { LockFile, LockStep } from "../schema/lock.ts";

/** The resolved context of an attempt, from the engine. */
export type SpecContext = Omit<ExecSpec, "script" | "argv">;

/** Turns a lock step of one kind into what the executor runs. */
export type SpecBuilder = (
  step: LockStep,
  context: SpecContext,
  lock?: Pick<LockFile, "registry_pins">,
) => ExecSpec;

/** Where a step being checked is, for positioned errors. */
export interface KindCheckContext {
  /** The step's id. */
  id: string;
  /**
   * The source position of a field of the step's `with:` block (`["run"]`, `["argv", 0]`),
   * or of the step itself with `[]` when the block or field is absent.
   */
  spanOf(withPath: (string | number)[]): Span | undefined;
}

/** One step kind. */
export interface StepKind {
  /** The `uses:` name. */
  readonly kind: LockStep["uses"];
  /**
   * The JSON Schema of the kind's `with:` block, for documentation and editors; the
   * checks that need positions are `check`'s.
   */
  readonly withSchema?: Record<string, unknown>;
  /**
   * Compose-time checks of the step's `with:` block (it is rendered; it may be normalized in
   * place, as `argv` numbers become strings). Every error is positioned.
   */
  check?(withBlock: Record<string, unknown>, context: KindCheckContext): LilyError[];
  /** The lock step → what the executor (and so the adapter) runs, per attempt. */
  build: SpecBuilder;
}
