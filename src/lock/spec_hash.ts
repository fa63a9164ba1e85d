/**
 * `spec_hash`: sha256 of the canonical JSON of everything in a lock that decides what runs —
 * not provenance (file hashes move when a file is reformatted) and not pins (`lock refresh`
 * must keep it). Kept free of the schema model so a compiled lock is checked without it.
 * @module
 */
import type { LockFile } from "../schema/lock.ts";
import { digestOf } from "../util/canonical_json.ts";

/**
 * The hash of the fields of a lock that `spec_hash` covers. `digest` may be any function giving
 * `digestOf`'s result (a run checks a lock with `canonicalDigest`, which needs less memory).
 */
export function specHashOf(
  lock: Omit<LockFile, "spec_hash">,
  digest: (value: unknown) => string = digestOf,
): string {
  return digest({
    schema_version: lock.schema_version,
    petal_version: lock.petal_version,
    name: lock.name,
    execution_contract: lock.execution_contract,
    env_policy: lock.env_policy,
    artifacts: lock.artifacts,
    params: lock.params,
    env: lock.env,
    vars: lock.vars,
    plan: lock.plan,
  });
}
