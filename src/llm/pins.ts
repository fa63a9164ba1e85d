/**
 * Model pins: the exact model id a provider reported for a step's model, kept in the lock's
 * `registry_pins.models` (outside spec_hash, as every pin). The first answer pins the model; a
 * later answer that reports another id is drift (`run --locked` fails on it, a plain run
 * re-pins and says so). Writes are serialized: steps of one run may pin at once.
 * @module
 */
import { lockText } from "../lock/build.ts";
import { readLockFile } from "../lock/read.ts";
import type { LockFile } from "../schema/lock.ts";
import { modelPinKey, readLlmStep } from "../steps/llm_request.ts";

let queue: Promise<unknown> = Promise.resolve();

/**
 * Records `registry_pins.models[key] = id` in the lock at `lockPath` (a new file renamed into
 * place). Returns false when the lock already says so.
 */
export function recordModelPin(lockPath: string, key: string, id: string): Promise<boolean> {
  const next = queue.then(async () => {
    const lock = await readLockFile(lockPath);
    if (lock.registry_pins.models[key] === id) return false;
    const models = { ...lock.registry_pins.models, [key]: id };
    lock.registry_pins.models = Object.fromEntries(
      Object.entries(models).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
    );
    const temp = `${lockPath}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(temp, lockText(lock));
    try {
      await Deno.rename(temp, lockPath);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    return true;
  });
  queue = next.catch(() => {});
  return next;
}

/**
 * The model pins of `previous` (the lock a compose replaces) that `lock` still asks for: the
 * pins of its llm steps' `<provider>:<model>@<base_url>` keys. A pin is learnt at run time from
 * an answer, so composing again cannot resolve it; keeping it is what lets `run --locked`
 * follow a recompose. Pins of models no step asks for any more are dropped. Returns how many
 * were kept (written into `lock.registry_pins.models`).
 */
export function keepModelPins(previous: LockFile, lock: LockFile): number {
  const old = previous.registry_pins.models;
  let kept = 0;
  for (const step of [...lock.plan.steps, ...lock.plan.on_error]) {
    if (step.uses !== "llm") continue;
    const { plan } = readLlmStep(step.id, step.with);
    const key = modelPinKey(plan);
    if (Object.hasOwn(old, key) && !Object.hasOwn(lock.registry_pins.models, key)) {
      lock.registry_pins.models[key] = old[key];
      kept++;
    }
  }
  lock.registry_pins.models = Object.fromEntries(
    Object.entries(lock.registry_pins.models).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
  return kept;
}
