// The library API's written-out types (src/public_types.ts) are exactly the formats' types
// (the zod models of src/schema/ and the engine's options): this file does not type-check
// when they drift apart. Update src/public_types.ts when a format changes.
import { assert } from "./_assert.ts";
import type * as Public from "../src/public_types.ts";
import type * as Events from "../src/schema/events.ts";
import type * as Lock from "../src/schema/lock.ts";
import type * as PetalSchema from "../src/schema/petal.ts";
import type * as Compose from "../src/pipeline.ts";
import type * as Engine from "../src/run/engine.ts";

/** `true` only when A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2)
  ? ((<T>() => T extends B ? 1 : 2) extends (<T>() => T extends A ? 1 : 2) ? true : false)
  : false;

const checks: true[] = [
  true as Same<Public.LockFile, Lock.LockFile>,
  true as Same<Public.LockStep, Lock.LockStep>,
  true as Same<Public.LockIO, Lock.LockIO>,
  true as Same<Public.LockCacheKey, Lock.LockCacheKey>,
  true as Same<Public.LockParam, Lock.LockParam>,
  true as Same<Public.Petal, PetalSchema.Petal>,
  true as Same<Public.Step, PetalSchema.Step>,
  true as Same<Public.Param, PetalSchema.Param>,
  true as Same<Public.RunEvent, Events.RunEvent>,
  true as Same<Public.Manifest, Events.Manifest>,
  true as Same<Public.ManifestStep, Events.ManifestStep>,
  true as Same<Public.ComposeOptions, Compose.ComposeOptions>,
  true as Same<Public.ComposedPoint, Compose.ComposedPoint>,
  true as Same<Public.RunResult, Engine.RunResult>,
];

Deno.test("the library API's types are the formats' types (checked when this file type-checks)", () => {
  // The library's run options are a subset of the engine's (its test seams stay internal).
  const _options: Partial<Engine.RunOptions> = {} as Public.RunOptions;
  assert(checks.every((c) => c === true));
});
